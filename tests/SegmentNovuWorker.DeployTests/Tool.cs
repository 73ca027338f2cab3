using System.Diagnostics;

namespace SegmentNovuWorker.DeployTests;

/// <summary>Runs a program of the machine (kubectl, node, docker-compose, dotnet) from the repository root.</summary>
public static class Tool
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <param name="timeout">Generous: the machine is shared and a publish takes a while under load.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{program}' is not installed: deploy/test.sh installs it ({ex.Message}).", ex);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time.");
            }
            return (process.ExitCode, await output + await error);
        }
    }

    public static string PathOf(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegmentNovuWorker.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("SegmentNovuWorker.sln not found above " + AppContext.BaseDirectory);
    }
}
