using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Doctor;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary><c>doctor</c>: checks the setup (Novu's key and workflows, the broker and its queues, Segment's secrets, the services' health).</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config")
        {
            Description = "The services' configuration file (default: appsettings.json in the current folder); environment variables apply over it.",
        };
        var ingestUrls = new Option<string[]>("--ingest-url")
        {
            Description = "An ingest replica's base address, to ask its /health/ready (repeatable; default: Admin:IngestUrls).",
            AllowMultipleArgumentsPerToken = true,
        };
        var workerUrls = new Option<string[]>("--worker-url")
        {
            Description = "A worker's base address, to ask its /health/ready (repeatable; default: Admin:WorkerUrls).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("doctor",
            "Check the setup before the first event: Novu's key, every mapped workflow exists and is active, the broker and its queues, " +
            "Segment's secret and write keys, the ingest's and workers' health. Exits 5 when a check fails.")
        {
            config, ingestUrls, workerUrls,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var file = parse.GetValue(config);
                if (file is { Exists: false })
                    throw new OperatorException(ExitCodes.Usage, $"{file.FullName} does not exist.");
                var configuration = CliConfiguration.Build(parse.GetValue(GlobalOptions.Connection), parse.GetValue(GlobalOptions.ManagementUrl),
                    parse.GetValue(GlobalOptions.Insecure), file);
                var targets = new DoctorTargets(
                    Urls(parse.GetValue(ingestUrls), configuration, DoctorTargets.IngestUrlsKey),
                    Urls(parse.GetValue(workerUrls), configuration, DoctorTargets.WorkerUrlsKey));
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var report = await new SetupDoctor(configuration, new BrokerConnector(CliConfiguration.Settings(configuration)), http).RunAsync(targets, ct);
                await WriteAsync(report, output, parse.GetValue(GlobalOptions.Json));
                return report.Passed ? ExitCodes.Ok : ExitCodes.CheckFailed;
            }
            catch (OperatorException ex)
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return ex.ExitCode;
            }
            catch (InvalidDataException ex)
            {
                await error.WriteLineAsync("error: the configuration file is not valid JSON: " + ex.Message);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    static string[] Urls(string[]? given, IConfiguration configuration, string key) =>
        given is { Length: > 0 } ? given : [.. configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0)];

    static async Task WriteAsync(DoctorReport report, TextWriter output, bool json)
    {
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, OperationsJson.Indented));
            return;
        }
        foreach (var check in report.Checks)
        {
            var mark = check.Outcome switch
            {
                CheckOutcome.Ok => "ok  ",
                CheckOutcome.Warning => "warn",
                CheckOutcome.Failed => "FAIL",
                _ => "skip",
            };
            await output.WriteLineAsync($"{mark}  {check.Name}: {check.Detail}");
            if (check.Fix is { } fix && check.Outcome != CheckOutcome.Ok)
                await output.WriteLineAsync($"      fix: {fix}");
        }
        var failed = report.Checks.Count(c => c.Outcome == CheckOutcome.Failed);
        await output.WriteLineAsync(failed == 0 ? "All checks passed." : $"{failed} check(s) failed.");
    }
}
