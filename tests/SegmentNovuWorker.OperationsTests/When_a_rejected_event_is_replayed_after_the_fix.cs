using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// Novu rejected triggers (the workflow did not exist yet) and, with idempotency on, keeps that 422 under their keys for
/// 24 h. Once the workflow exists, an operator replay must reach Novu: a replay presents keys Novu has never seen.
/// </summary>
public sealed class When_a_rejected_event_is_replayed_after_the_fix
{
    [Fact]
    public async Task Should_reach_novu_instead_of_the_cached_rejection()
    {
        await using var stack = await DeadLetterStack.StartAsync(new Dictionary<string, string?> { ["Retry:KillSwitch:Enabled"] = "false" });
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: 2, Message: "workflow_not_found", InHandler: true));
        await DeadLetterStack.PostAsync(stack, [
            DeadLetterStack.Track("before-fix-1", "User Registered", "user-1"),
            DeadLetterStack.Track("before-fix-2", "User Registered", "user-2"),
        ]);
        await DeadLetterStack.WaitForDeadLettersAsync(stack, CallQueues.Track, 2);

        var run = await Cli.RunAsync(stack, "dlq", "replay", "--reason", "novu-rejected");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 2, "both replayed events reached Novu");
        Assert.Equal(["before-fix-1", "before-fix-2"], stack.Novu.Notifications.Select(n => n.TransactionId).Order());
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, CallQueues.ErrorOf(CallQueues.Track)) ?? 0);
    }
}
