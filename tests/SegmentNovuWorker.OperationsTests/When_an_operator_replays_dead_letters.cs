using System.Text.Json.Nodes;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>dlq replay</c> while Novu accepts again: the chosen events are delivered once, the rest stay put.</summary>
public sealed class When_an_operator_replays_dead_letters : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await DeadLetterStack.StartWithMixAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_deliver_each_replayed_event_once_and_leave_the_rest_untouched()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "replay", "--reason", "novu-rejected", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(3, (int)run.Json["done"]!);
        Assert.All(run.Json["messages"]!.AsArray(), m => Assert.Equal("replayed", (string)m!["outcome"]!));
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 3, "Novu notified the three replayed events");
        Assert.Equal(DeadLetterStack.Rejected, _stack.Novu.Notifications.Select(n => n.TransactionId).Order());
        Assert.All(_stack.Novu.Notifications, n => Assert.Equal("welcome", n.Workflow));
        Assert.Equal(3u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
        Assert.Equal(1u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Identify));
        var left = await Cli.RunAsync(_stack, "dlq", "list", "--json");
        Assert.Equal(DeadLetterStack.Unmapped.Concat(DeadLetterStack.NoUser).Order(),
            left.Json["items"]!.AsArray().Select(i => (string)i!["messageId"]!).Order());
    }

    [Fact]
    public async Task Should_put_the_message_back_with_its_id_and_event_and_without_fault_headers()
    {
        var before = Assert.Single((await Cli.RunAsync(_stack, "dlq", "show", "rejected-2", "--json")).Json.AsArray())!;
        await _stack.StopWorkerAsync(); // so the replayed message stays in its partition queue to be looked at

        var run = await Cli.RunAsync(_stack, "dlq", "replay", "rejected-2");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var replayed = Assert.Single(await QueuedMessage.PeekAllAsync(_stack.RabbitMq, CallQueues.PartitionQueueOf("user-rejected-2")));
        Assert.Equal((string)before["amqpMessageId"]!, replayed.MessageId);
        var envelope = JsonNode.Parse(replayed.Body)!;
        Assert.True(JsonNode.DeepEquals(before["event"], envelope["message"]), "the event is the original");
        Assert.Equal((string)before["envelope"]!["messageId"]!, (string)envelope["messageId"]!);
        var headers = replayed.Headers.Keys.ToList();
        Assert.Contains(DeadLetterHeaders.SegmentMessageId, headers);
        // Only a new idempotency-key lineage is added: a replay must not present keys Novu answered before.
        Assert.DoesNotContain(headers, h => h != DeadLetterHeaders.IdempotencyLineage
            && DeadLetterHeaders.FaultHeaderPrefixes.Any(p => h.StartsWith(p, StringComparison.Ordinal)));
        Assert.StartsWith("replay-", replayed.Header(DeadLetterHeaders.IdempotencyLineage), StringComparison.Ordinal);
        Assert.Contains(before["headers"]!.AsObject(), h => h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_say_what_would_move_on_a_dry_run_and_move_nothing()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "replay", "--event", "Order Completed", "--dry-run");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Dry run: 2 dead letter(s) would be replayed; nothing was moved.", run.Output);
        Assert.Contains("would-replay  unmapped-1", run.Output);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
        Assert.Empty(_stack.Novu.Notifications);
    }

    [Fact]
    public async Task Should_keep_a_dead_letter_whose_queue_is_gone_and_exit_4()
    {
        await _stack.StopWorkerAsync();
        var factory = new ConnectionFactory { Uri = _stack.RabbitMq };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeleteAsync(CallQueues.PartitionQueueOf("anon-1"));

        var run = await Cli.RunAsync(_stack, "dlq", "replay", "--type", "identify");

        Assert.Equal(ExitCodes.PartialFailure, run.ExitCode);
        Assert.Contains($"queue '{CallQueues.PartitionQueueOf("anon-1")}' does not exist", run.Output);
        Assert.Contains("0 of 1 matching dead letter(s) replayed, 1 failed.", run.Output);
        Assert.Equal(1u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Identify));
    }

    [Fact]
    public async Task Should_refuse_to_replay_without_a_message_id_a_filter_or_all()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "replay");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--all", run.Error);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
    }

    [Fact]
    public async Task Should_send_events_that_fail_again_back_to_error_with_their_reason()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "replay", "--all");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("7 of 7 matching dead letter(s) replayed, 0 failed.", run.Output);
        // The rejected ones are delivered now; unmapped and user-less events are still what they were.
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 3, "Novu notified the three once-rejected events");
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Track, 3);
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Identify, 1);
        var summary = await Cli.RunAsync(_stack, "dlq", "summary", "--json");
        Assert.Equal(["missing-user-id", "missing-user-id", "unmapped-event"],
            summary.Json.AsArray().Select(g => (string)g!["reason"]!).Order().ToArray());
    }
}
