using System.Diagnostics;
using System.Reflection;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>segment-novu</c> as a separate process (the built segment-novu.dll), for tests that kill it.</summary>
public sealed class CliProcess : IDisposable
{
    readonly Process _process;

    CliProcess(Process process) => _process = process;

    /// <param name="environment">Environment variables of the tool (the broker's URI, with its password, goes here, never in args).</param>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", "SegmentNovuWorker.Cli", "bin", configuration, "net10.0", "segment-novu.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("Build the solution first: the tool is run from its build output.", dll);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CliProcess(process);
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
