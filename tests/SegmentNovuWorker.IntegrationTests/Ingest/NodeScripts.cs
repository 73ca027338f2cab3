using System.Diagnostics;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Runs a script of one of the npm folders under <c>tests/</c> (Segment's own code, locked in its
/// <c>package-lock.json</c> and installed by <c>npm ci</c>, which <c>deploy/test.sh</c> runs).
/// </summary>
public static class NodeScripts
{
    /// <param name="folder">The folder under <c>tests/</c>: <c>segment-sdk</c>, <c>segment-actions</c>.</param>
    /// <param name="package">A package the script needs, to say what to install when it is missing.</param>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, string package, string script,
        IDictionary<string, string> environment)
    {
        var project = Path.Combine(RabbitMqBroker.RepositoryRoot(), "tests", folder);
        if (!Directory.Exists(Path.Combine([project, "node_modules", .. package.Split('/')])))
            Assert.Fail($"{package} is not installed: run 'npm ci' in {project} (deploy/test.sh does).");

        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"node is not installed or not on PATH ({ex.Message}): the tests of Segment's own code need Node.js 18+.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Generous: node starts Segment's packages and sends up to a few thousand events on a loaded 2-core machine.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
