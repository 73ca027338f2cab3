using System.Text.Json.Nodes;
using SegmentNovuWorker.Cli;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>What an operator sees from one run of <c>segment-novu</c>: its exit code, standard output and error.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON output: " + Error);
}

/// <summary>Runs <c>segment-novu</c> in-process against a stack's broker, as an operator with its connection string would.</summary>
public static class Cli
{
    public static async Task<CliRun> RunAsync(SegmentNovuStack stack, params string[] args) =>
        await RunAsync([.. args, "--connection", stack.RabbitMq.ToString(), "--management-url", stack.Broker.ManagementUri.ToString()]);

    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await SegmentNovuCli.RunAsync(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
