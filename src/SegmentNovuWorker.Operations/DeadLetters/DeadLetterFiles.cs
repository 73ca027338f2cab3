namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>
/// Files that hold dead letters (exports, the copies a purge writes): Segment events with user ids, traits and emails,
/// so they are created readable by their owner only (0600), whatever the umask.
/// </summary>
public static class DeadLetterFiles
{
    /// <param name="append">Add to the file if it exists (its permissions are then left as they are), else replace it.</param>
    public static StreamWriter Open(string path, bool append)
    {
        var options = new FileStreamOptions
        {
            Mode = append ? FileMode.Append : FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.Read,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new StreamWriter(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
    }
}
