using System.Diagnostics;
using System.Reflection;

namespace SegmentNovuWorker.Testing;

/// <summary>The worker as a separate process (its own build output), for tests that SIGKILL it or run several.</summary>
public sealed class WorkerProcess : IDisposable
{
    readonly Process _process;
    readonly List<string> _output = [];

    WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>What it wrote so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Output { get { lock (_output) return [.. _output]; } }

    /// <param name="settings">Configuration, passed in the environment (never on the command line: it holds the Novu key).</param>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = typeof(WorkerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", "SegmentNovuWorker.Worker", "bin", configuration, "net10.0", "SegmentNovuWorker.Worker.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("Build the solution first: the worker is run from its build output.", dll);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Record(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Add(line);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no chance to clean up, as when a machine or a container dies.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
