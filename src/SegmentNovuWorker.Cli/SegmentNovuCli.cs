using System.CommandLine;
using SegmentNovuWorker.Cli.Commands;

namespace SegmentNovuWorker.Cli;

/// <summary>The <c>segment-novu</c> command line; tests run it in-process with their own writers.</summary>
public static class SegmentNovuCli
{
    /// <param name="environment">
    /// Read instead of the process's environment variables and current folder (for tests running the tool in-process).
    /// </param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        (IReadOnlyDictionary<string, string?> Variables, string Folder)? environment = null)
    {
        CliConfiguration.Environment.Value = environment;
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        return await Parse(args).InvokeAsync(invocation);
    }

    /// <summary>Reads a command line without running it (the docs check parses every command the docs show).</summary>
    public static ParseResult Parse(string[] args) => CreateRoot().Parse(args);

    static RootCommand CreateRoot() =>
        new("Inspect, replay and purge SegmentNovuWorker's dead letters, and see its queues.")
        {
            GlobalOptions.Connection,
            GlobalOptions.ManagementUrl,
            GlobalOptions.Insecure,
            GlobalOptions.Json,
            QueuesCommand.Create(),
            DlqCommands.Create(),
            MappingCommands.Create(),
            JobsCommands.Create(),
            DoctorCommand.Create(),
            EventsCommand.Create(),
        };
}
