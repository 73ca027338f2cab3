using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Cli.Output;

/// <summary>A one-line progress bar on the terminal for long replays and purges; silent when stderr is redirected.</summary>
sealed class ProgressBar(TextWriter terminal, string verb) : IProgress<MoveProgress>, IDisposable
{
    const int Width = 30;
    bool _drawn;

    public void Report(MoveProgress value)
    {
        var filled = value.Total == 0 ? Width : Math.Min(Width, value.Scanned * Width / value.Total);
        terminal.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {value.Scanned}/{value.Total} looked at, {value.Done} {verb}  ");
        terminal.Flush();
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn)
            terminal.WriteLine();
        _drawn = false;
    }
}
