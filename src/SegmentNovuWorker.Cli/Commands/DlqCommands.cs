using System.CommandLine;
using System.Text.Json;
using SegmentNovuWorker.Cli.Output;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary><c>dlq list|summary|show|export|replay|purge</c>.</summary>
static class DlqCommands
{
    public static Command Create() => new("dlq", "Dead letters: the events the worker gave up on, in the segment-*_error queues.")
    {
        List(),
        Summary(),
        Show(),
        Export(),
        Replay(),
        Purge(),
    };

    static DeadLetterOperations Operations(CommandRun run) => new(new BrokerConnector(run.Settings));

    static async Task<int> WriteJsonAsync(CommandRun run, object value)
    {
        await run.Output.WriteLineAsync(JsonSerializer.Serialize(value, OperationsJson.Indented));
        return ExitCodes.Ok;
    }

    static Command List()
    {
        var filter = new FilterOptions();
        var page = new Option<int>("--page") { Description = "Which page, from 1.", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "Dead letters per page.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Dead letters page by page: messageId, type, event, user, reason, last HTTP status, Novu's message, attempts, failure times.");
        filter.AddTo(command);
        command.Add(page);
        command.Add(pageSize);
        command.SetRun(async (run, ct) =>
        {
            var result = await Operations(run).ListAsync(filter.Read(run.Parse), run.Parse.GetValue(page), run.Parse.GetValue(pageSize), ct);
            if (run.Json)
                return await WriteJsonAsync(run, result);

            var table = new Table("MESSAGE ID", "TYPE", "EVENT", "USER", "REASON", "HTTP", "NOVU MESSAGE", "ATTEMPTS", "FIRST FAILURE", "LAST FAILURE")
                .AlignRight(5, 7);
            foreach (var d in result.Items)
                table.Add(d.MessageId, d.Type, d.EventName, d.UserId, d.Reason, d.HttpStatus, d.NovuMessage, d.Attempts, d.FirstFailureAt, d.LastFailureAt);
            table.WriteTo(run.Output);
            var pages = Math.Max(1, (result.Matching + result.PageSize - 1) / result.PageSize);
            await run.Output.WriteLineAsync($"Page {result.Page} of {pages}: {result.Matching} dead letter(s) match.");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Summary()
    {
        var filter = new FilterOptions();
        var command = new Command("summary", "Dead letters grouped by reason and event name, with counts: what went wrong, how often.");
        filter.AddTo(command);
        command.SetRun(async (run, ct) =>
        {
            var issues = await Operations(run).SummarizeAsync(filter.Read(run.Parse), ct);
            if (run.Json)
                return await WriteJsonAsync(run, issues);

            var table = new Table("COUNT", "REASON", "TYPE", "EVENT", "LAST HTTP", "LAST NOVU MESSAGE", "FIRST FAILURE", "LAST FAILURE").AlignRight(0, 4);
            foreach (var i in issues)
                table.Add(i.Count, i.Reason, i.Type, i.EventName, i.LastHttpStatus, i.LastNovuMessage, i.FirstFailureAt, i.LastFailureAt);
            table.WriteTo(run.Output);
            await run.Output.WriteLineAsync($"{issues.Sum(i => i.Count)} dead letter(s) in {issues.Count} group(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Show()
    {
        var messageId = new Argument<string>("messageId") { Description = "The Segment messageId." };
        var command = new Command("show", "One dead letter in full: the Segment event and every header, fault headers included.") { messageId };
        command.SetRun(async (run, ct) =>
        {
            var found = await Operations(run).ShowAsync(run.Parse.GetValue(messageId)!, ct);
            if (run.Json)
                return await WriteJsonAsync(run, found);
            foreach (var detail in found)
                await DeadLetterView.WriteAsync(run.Output, detail);
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Export()
    {
        var filter = new FilterOptions();
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file (default: standard output)." };
        var command = new Command("export", "Write dead letters (event, headers, MassTransit envelope) as NDJSON, one per line, without removing them.");
        filter.AddTo(command);
        command.Add(output);
        command.SetRun(async (run, ct) =>
        {
            var file = run.Parse.GetValue(output);
            if (file is null)
            {
                await Operations(run).ExportAsync(filter.Read(run.Parse), run.Output, ct);
                return ExitCodes.Ok;
            }
            await using var writer = DeadLetterFiles.Open(file.FullName, append: false);
            var count = await Operations(run).ExportAsync(filter.Read(run.Parse), writer, ct);
            await run.Error.WriteLineAsync($"Exported {count} dead letter(s) to {file.FullName}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Replay()
    {
        var filter = new FilterOptions();
        var messageId = new Argument<string?>("messageId") { Description = "Replay only this Segment messageId.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Replay every dead letter (needed when no messageId or filter is given)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be replayed; move nothing." };
        var rate = new Option<double?>("--rate") { Description = "At most this many messages per second (default: as fast as the broker confirms)." };
        var command = new Command("replay",
            "Send dead letters back to their original queue with fault and redelivery headers stripped (a full retry budget again) and their messageId kept (Novu drops a repeat).")
        { messageId, all, dryRun, rate };
        filter.AddTo(command);
        command.SetRun(async (run, ct) =>
        {
            var chosen = filter.Read(run.Parse, run.Parse.GetValue(messageId));
            if (RefuseUnscoped(run, chosen, run.Parse.GetValue(all), "replay") is { } refused)
                return refused;
            using var progress = run.ProgressBar("replayed");
            var report = await Operations(run).ReplayAsync(chosen,
                new MoveOptions(run.Parse.GetValue(dryRun), run.Parse.GetValue(rate), Progress: progress, By: $"{Environment.UserName} (segment-novu)"), ct);
            progress?.Dispose();
            return await WriteReportAsync(run, report, ct);
        });
        return command;
    }

    static Command Purge()
    {
        var filter = new FilterOptions();
        var messageId = new Argument<string?>("messageId") { Description = "Purge only this Segment messageId.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Purge every dead letter (needed when no messageId or filter is given)." };
        var yes = new Option<bool>("--yes") { Description = "Really remove them. Without it, nothing is removed and the tool says what would be." };
        var export = new Option<FileInfo?>("--export") { Description = "Append each purged dead letter to this NDJSON file before removing it." };
        var command = new Command("purge", "Remove dead letters for good. Record them first with 'dlq export' or --export.") { messageId, all, yes, export };
        filter.AddTo(command);
        command.SetRun(async (run, ct) =>
        {
            var chosen = filter.Read(run.Parse, run.Parse.GetValue(messageId));
            if (RefuseUnscoped(run, chosen, run.Parse.GetValue(all), "purge") is { } refused)
                return refused;
            var operations = Operations(run);
            if (!run.Parse.GetValue(yes))
            {
                var preview = await operations.PurgeAsync(chosen, new MoveOptions(DryRun: true), ct);
                if (run.Json)
                    await run.Output.WriteLineAsync(JsonSerializer.Serialize(preview, OperationsJson.Indented));
                await run.Error.WriteLineAsync(
                    $"error: not purging {preview.Matched} dead letter(s) without --yes. Record them first " +
                    "('segment-novu dlq export -o dead-letters.ndjson' with the same filter, or add --export FILE), then run again with --yes.");
                return ExitCodes.Usage;
            }

            var file = run.Parse.GetValue(export);
            await using var writer = file is null ? null : DeadLetterFiles.Open(file.FullName, append: true);
            using var progress = run.ProgressBar("purged");
            var report = await operations.PurgeAsync(chosen, new MoveOptions(Export: writer, Progress: progress), ct);
            progress?.Dispose();
            return await WriteReportAsync(run, report, ct);
        });
        return command;
    }

    static int? RefuseUnscoped(CommandRun run, DeadLetterFilter filter, bool all, string operation)
    {
        if (!filter.IsEmpty || all)
            return null;
        run.Error.WriteLine($"error: say what to {operation}: a messageId, a filter (--queue, --reason, --event, --type, --since, --until), or --all.");
        return ExitCodes.Usage;
    }

    static async Task<int> WriteReportAsync(CommandRun run, MoveReport report, CancellationToken ct)
    {
        // Interrupted (Ctrl-C) is partial too: what was not reached is still in _error.
        var exitCode = report.Failed > 0 || ct.IsCancellationRequested ? ExitCodes.PartialFailure : ExitCodes.Ok;
        if (run.Json)
        {
            await run.Output.WriteLineAsync(JsonSerializer.Serialize(report, OperationsJson.Indented));
            return exitCode;
        }
        var table = new Table("OUTCOME", "MESSAGE ID", "FROM", "TO", "ERROR");
        foreach (var m in report.Messages)
            table.Add(m.Outcome, m.MessageId, m.Queue, m.Target, m.Error);
        if (report.Messages.Count > 0)
            table.WriteTo(run.Output);

        var verb = report.Operation == "replay" ? "replayed" : "purged";
        var interrupted = ct.IsCancellationRequested ? " Interrupted: the rest stays in _error." : "";
        await run.Output.WriteLineAsync(report.DryRun
            ? $"Dry run: {report.Matched} dead letter(s) would be {verb}; nothing was moved."
            : $"{report.Done} of {report.Matched} matching dead letter(s) {verb}, {report.Failed} failed.{interrupted}");
        return exitCode;
    }
}
