using System.Diagnostics;
using System.Reflection;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// One of the solution's programs as a separate process, run from its own build output, for tests that SIGKILL it or
/// run several side by side. Secrets go in the environment, never on the command line.
/// </summary>
public sealed class BuiltProcess : IDisposable
{
    readonly Process _process;
    readonly List<string> _output = [];

    BuiltProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What it wrote so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Output { get { lock (_output) return [.. _output]; } }

    /// <param name="project">The project folder under <c>src/</c>.</param>
    /// <param name="dll">Its entry assembly.</param>
    public static BuiltProcess Start(string project, string dll, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var configuration = typeof(BuiltProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", project, "bin", configuration, "net10.0", dll);
        if (!File.Exists(path))
            throw new FileNotFoundException("Build the solution first: the program is run from its build output.", path);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + path);
        var started = new BuiltProcess(process);
        process.OutputDataReceived += (_, e) => started.Record(e.Data);
        process.ErrorDataReceived += (_, e) => started.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Add(line);
    }

    /// <summary>SIGKILL: no chance to clean up, as when a machine or a container dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for it to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
