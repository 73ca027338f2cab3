using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_novu_has_an_outage
{
    [Fact]
    public async Task Should_stop_consuming_so_messages_wait_in_the_queue_and_resume_by_itself()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Retry:KillSwitch:Enabled", "true"),
            ("Retry:KillSwitch:ActivationThreshold", "5"),
            ("Retry:KillSwitch:TripThreshold", "50"),
            ("Retry:KillSwitch:TrackingPeriod", "00:00:30"),
            ("Retry:KillSwitch:RestartTimeout", "00:00:04"));
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 100_000));

        // The outage switch stops every partition of the worker; ten users of one partition are watched here.
        var partition = CallQueues.PartitionQueueOf("u-0");
        var users = Enumerable.Range(0, 10_000).Select(i => $"u-{i}").Where(u => CallQueues.PartitionQueueOf(u) == partition).Take(10).ToList();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
            await stack.PostAsync($$"""{"type":"track","messageId":"outage-{{i}}","userId":"{{user}}","event":"User Registered"}""");

        // The outage switch trips: the partition has no consumer while Novu is down, and the events (back from
        // their first wait) sit in the queue instead of using up their redeliveries.
        await SegmentNovuStack.WaitUntilAsync(
            () => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, partition).GetAwaiter().GetResult() is { Consumers: 0, Messages: > 0 },
            "the track endpoint stopped consuming and events wait in its queue");
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));

        stack.Novu.ClearFaults();

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 10, "every event was delivered after the outage",
            TimeSpan.FromSeconds(60));
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }
}
