using System.Text.Json.Nodes;
using SegmentNovuWorker.Cli;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>What an operator sees from one run of <c>segment-novu</c>: its exit code, standard output and error.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON output: " + Error);
}

/// <summary>
/// Runs <c>segment-novu</c> in-process against a stack's broker, as an operator would: the connection string (with its
/// password) in the environment, never on the command line.
/// </summary>
public static class Cli
{
    public static async Task<CliRun> RunAsync(SegmentNovuStack stack, params string[] args) =>
        await RunWithEnvironmentAsync(Broker(stack.RabbitMq), [.. args, "--management-url", stack.Broker.ManagementUri.ToString()]);

    static readonly Lazy<string> EmptyFolder = new(() => Directory.CreateTempSubdirectory("segment-novu-cli-").FullName);

    /// <summary>An environment that names the broker as <c>ConnectionStrings__RabbitMq</c> does.</summary>
    public static Dictionary<string, string?> Broker(Uri amqp) => new() { ["ConnectionStrings:RabbitMq"] = amqp.ToString() };

    /// <summary>Runs with no environment at all: nothing configured but what <paramref name="args"/> say.</summary>
    public static Task<CliRun> RunAsync(params string[] args) => RunWithEnvironmentAsync(new Dictionary<string, string?>(), args);

    /// <param name="environment">Configuration keys as the environment would give them (<c>ConnectionStrings:RabbitMq</c>, <c>RabbitMq:Password</c>).</param>
    public static async Task<CliRun> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // An empty current folder: no appsettings.json of the test binaries' folder is read.
        var exitCode = await SegmentNovuCli.RunAsync(args, output, error, (environment, EmptyFolder.Value));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
