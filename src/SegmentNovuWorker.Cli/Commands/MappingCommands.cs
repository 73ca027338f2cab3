using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Mapping;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary><c>mapping check</c> and <c>mapping test</c>: the worker's mapping, run here on its configuration, sending nothing.</summary>
static class MappingCommands
{
    static readonly Option<FileInfo?> Config = new("--config")
    {
        Description = "The worker's configuration file (default: appsettings.json in the current folder). Environment variables (Novu__Workflows__0__Event…) apply over it, as in the worker.",
        Recursive = true,
    };

    public static Command Create()
    {
        var mapping = new Command("mapping", "Check the worker's Novu mapping, and see what it would send for an event.") { Config };
        mapping.Subcommands.Add(Check());
        mapping.Subcommands.Add(Test());
        return mapping;
    }

    static Command Check()
    {
        var command = new Command("check", "Compile the Novu mapping as the worker does at start; exits 1 on any error, so it can run in CI.");
        command.SetAction((parse, ct) => Run(parse, async (configuration, output, json) =>
        {
            var load = MappingTester.Check(configuration);
            if (json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { ok = load.Succeeded, rules = load.Map?.Rules.Count, errors = load.Errors, warning = load.Map?.EmptyWarning }, OperationsJson.Indented));
                return load.Succeeded ? ExitCodes.Ok : ExitCodes.Usage;
            }
            if (load.Map is null)
                throw new OperatorException(ExitCodes.Usage, "the mapping does not compile:\n  " + string.Join("\n  ", load.Errors));
            await output.WriteLineAsync($"OK: {load.Map.Summary}.");
            foreach (var rule in load.Map.Rules)
                await output.WriteLineAsync($"  {rule.Key}: {rule.Call.ToString().ToLowerInvariant()} '{rule.EventName}'{(rule.When is null ? "" : $" when {rule.When.Text}")} → {rule.Workflow} (rule '{rule.Name}')");
            if (load.Map.EmptyWarning is { } warning)
                await output.WriteLineAsync("warning: " + warning);
            return ExitCodes.Ok;
        }));
        return command;
    }

    static Command Test()
    {
        var eventFile = new Option<FileInfo>("--event") { Description = "A Segment event as JSON (track, page or screen), as Segment sends it.", Required = true };
        var command = new Command("test", "Print the Novu request(s) the worker would send for a Segment event, and which rule matched or why none did.") { eventFile };
        command.SetAction((parse, ct) => Run(parse, async (configuration, output, json) =>
        {
            var file = parse.GetValue(eventFile)!;
            if (!file.Exists)
                throw new OperatorException(ExitCodes.Usage, $"{file.FullName} does not exist.");
            var report = MappingTester.Test(configuration, await File.ReadAllTextAsync(file.FullName, ct));
            if (json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, OperationsJson.Indented));
                return ExitCodes.Ok;
            }
            // The event file may be a dead letter: what it says is written escaped (UntrustedText).
            await output.WriteLineAsync(UntrustedText.Neutralise($"{report.Type} '{report.Name}' (messageId {report.MessageId})"));
            foreach (var rule in report.Rules)
                await output.WriteLineAsync(UntrustedText.Neutralise($"  rule '{rule.Rule}' ({rule.Key}) → {rule.Workflow}: {rule.Why}"));
            await output.WriteLineAsync(UntrustedText.Neutralise(report.Verdict switch
            {
                MappingVerdict.Trigger => $"would trigger: {report.Why}",
                MappingVerdict.Skip => $"would skip it ({report.Reason}): {report.Why}",
                _ => $"would dead-letter it ({report.Reason}): {report.Why}",
            }));
            foreach (var trigger in report.Triggers)
            {
                await output.WriteLineAsync();
                await output.WriteLineAsync("POST /v1/events/trigger");
                await output.WriteLineAsync(JsonSerializer.Serialize(trigger, OperationsJson.Indented));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Reads the configuration as the worker does (the file, then environment variables); an <see cref="OperatorException"/> becomes its message and exit code.</summary>
    static async Task<int> Run(ParseResult parse, Func<IConfiguration, TextWriter, bool, Task<int>> run)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var file = parse.GetValue(Config);
            if (file is { Exists: false })
                throw new OperatorException(ExitCodes.Usage, $"{file.FullName} does not exist.");
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(file?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: file is null)
                .AddEnvironmentVariables()
                .Build();
            return await run(configuration, output, parse.GetValue(GlobalOptions.Json));
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
    }
}
