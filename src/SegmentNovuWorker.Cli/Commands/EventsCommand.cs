using System.CommandLine;
using System.Text.Json;
using SegmentNovuWorker.Cli.Output;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeliveryLog;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary><c>events</c>: the delivery log's steps of the events that match, newest first, read from its stream.</summary>
static class EventsCommand
{
    public static Command Create()
    {
        var user = new Option<string?>("--user") { Description = "A userId or anonymousId: that user's timeline." };
        var messageId = new Option<string?>("--message-id") { Description = "One event, by its Segment messageId." };
        var eventName = new Option<string?>("--event") { Description = "Events of this name, e.g. \"User Registered\"." };
        var workflow = new Option<string?>("--workflow") { Description = "Events that triggered (or tried) this Novu workflow." };
        var outcome = new Option<string?>("--outcome") { Description = "Events that went through this step: delivered, skipped, parked, attempt-failed, dead-lettered, replayed." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Steps at or after: an ISO 8601 time or an age like 30m, 2h, 7d (default: 1d).", CustomParser = FilterOptions.ParseTime };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Steps before: an ISO 8601 time or an age.", CustomParser = FilterOptions.ParseTime };
        var limit = new Option<int>("--limit") { Description = "At most this many steps (1-1000).", DefaultValueFactory = _ => 100 };
        var command = new Command("events",
            "Search the delivery log: each step of each event (Novu's answers, skips, retries, parks for redelivery, dead letters, replays), newest first.")
        {
            user, messageId, eventName, workflow, outcome, since, until, limit,
        };
        command.SetRun(async (run, ct) =>
        {
            var filter = new DeliveryLogFilter(run.Parse.GetValue(user), run.Parse.GetValue(messageId), run.Parse.GetValue(eventName),
                run.Parse.GetValue(workflow), run.Parse.GetValue(outcome), run.Parse.GetValue(since), run.Parse.GetValue(until), run.Parse.GetValue(limit));
            var page = await new DeliveryLogScan(new BrokerConnector(run.Settings)).SearchAsync(filter, ct);
            if (run.Json)
            {
                await run.Output.WriteLineAsync(JsonSerializer.Serialize(page, OperationsJson.Indented));
                return ExitCodes.Ok;
            }
            var table = new Table("AT", "MESSAGE ID", "USER", "TYPE", "EVENT", "STEP", "WORKFLOW", "HTTP", "NOVU", "DETAIL").AlignRight(7);
            foreach (var step in page.Steps)
                table.Add(step.At, step.MessageId, step.UserId ?? step.UserKey ?? step.AnonymousId, step.Type, step.Event, step.Step, step.Workflow,
                    step.HttpStatus, step.NovuStatus ?? step.NovuMessage, Detail(step));
            table.WriteTo(run.Output);
            await run.Output.WriteLineAsync(page.Steps.Count == 0
                ? $"No step matches{(filter.Since is null ? " in the last day (--since 7d reads further back)" : "")}."
                : $"{page.Steps.Count} step(s), newest first.");
            return ExitCodes.Ok;
        });
        return command;
    }

    static string? Detail(DeliveryStep step) => step.Step switch
    {
        DeliverySteps.Parked => $"back at {step.Until:yyyy-MM-dd HH:mm:ss}",
        DeliverySteps.Replayed => $"by {step.By}",
        DeliverySteps.Attempt => $"transactionId {step.TransactionId}, {step.DurationMs} ms{(step.Detail is null ? "" : "; " + step.Detail)}",
        _ => step.Reason is { } reason ? $"{reason}: {step.NovuMessage ?? step.Detail}" : step.Detail,
    };
}
