using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_novu_has_an_outage
{
    [Fact]
    public async Task Should_hold_the_deliveries_at_the_gate_with_the_consumer_kept_and_go_on_once_novu_is_back()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Retry:KillSwitch:Enabled", "true"),
            ("Retry:KillSwitch:ActivationThreshold", "5"),
            ("Retry:KillSwitch:TripThreshold", "50"),
            ("Retry:KillSwitch:TrackingPeriod", "00:00:30"),
            ("Retry:KillSwitch:RestartTimeout", "00:00:02"));
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 100_000));

        // Ten users of one partition.
        var partition = CallQueues.PartitionQueueOf("u-0");
        var users = Enumerable.Range(0, 10_000).Select(i => $"u-{i}").Where(u => CallQueues.PartitionQueueOf(u) == partition).Take(10).ToList();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
            await stack.PostAsync($$"""{"type":"track","messageId":"outage-{{i}}","userId":"{{user}}","event":"User Registered"}""");

        // The breaker opens and the events wait at the gate, held by the worker: none ready in the queue, none parked in a
        // wait queue, the partition still consumed by the same consumer.
        await SegmentNovuStack.WaitUntilAsync(() => NovuStateAsync(stack).GetAwaiter().GetResult() == "novu-outage", "the worker said Novu is down");
        var probesBefore = stack.Novu.Requests.Count(r => r.Path == "/v1/events/trigger");
        // Each RestartTimeout one waiting event probes Novu: seeing two more probes come and fail shows the outage outlasting a break.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Path == "/v1/events/trigger") >= probesBefore + 2,
            "one event probed Novu after each break");
        Assert.Equal((0u, 1u), await RabbitMqBroker.QueueStateAsync(stack.RabbitMq, partition));
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.WaitQueueOf(partition, TimeSpan.FromSeconds(1))));
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
        Assert.Empty(stack.Novu.Notifications);

        stack.Novu.ClearFaults();

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 10, "every event was delivered after the outage",
            TimeSpan.FromSeconds(60));
        await SegmentNovuStack.WaitUntilAsync(() => NovuStateAsync(stack).GetAwaiter().GetResult() == "usable", "the worker said Novu is usable");
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
        // None was redelivered for the outage: no event waited in a wait queue.
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.WaitQueueOf(partition, TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public async Task Should_park_what_waited_past_the_pause_limit_and_deliver_it_in_order_after()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Retry:KillSwitch:Enabled", "true"),
            ("Retry:KillSwitch:ActivationThreshold", "3"),
            ("Retry:KillSwitch:TripThreshold", "50"),
            ("Retry:KillSwitch:TrackingPeriod", "00:00:30"),
            ("Retry:KillSwitch:RestartTimeout", "00:00:01"),
            ("Worker:NovuPauseLimit", "00:00:03"));
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 100_000));

        // One user's five events, and others' to trip the breaker: the first event waits at the gate past the limit, is
        // parked for redelivery with its user held, and the user's later ones park behind it in its hold.
        const string user = "paused-user";
        for (var i = 1; i <= 5; i++)
            await stack.PostAsync($$"""{"type":"track","messageId":"paused-{{i}}","userId":"{{user}}","event":"User Registered"}""");
        for (var i = 0; i < 6; i++)
            await stack.PostAsync($$"""{"type":"track","messageId":"other-{{i}}","userId":"other-{{i}}","event":"User Registered"}""");

        var hold = SegmentQueues.HoldQueueOf(SegmentPartitions.UserHash(user));
        await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, hold).GetAwaiter().GetResult() is { Messages: 4 },
            "the user's later events waited in its hold behind the parked one", TimeSpan.FromSeconds(60));

        stack.Novu.ClearFaults();

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 11, "every event was delivered after the outage",
            TimeSpan.FromSeconds(90));
        var sequence = stack.Novu.Notifications.Where(n => n.TransactionId?.StartsWith("paused-", StringComparison.Ordinal) == true)
            .Select(n => n.TransactionId).ToList();
        Assert.Equal(["paused-1", "paused-2", "paused-3", "paused-4", "paused-5"], sequence);
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
        Assert.Null(await RabbitMqBroker.QueueStateAsync(stack.RabbitMq, hold));
    }

    /// <summary>The state the worker's <c>novu</c> readiness check reports: <c>usable</c>, <c>novu-outage</c> or <c>novu-account-refused</c>.</summary>
    internal static async Task<string?> NovuStateAsync(SegmentNovuStack stack)
    {
        using var client = new HttpClient { BaseAddress = stack.WorkerUrl };
        using var response = await client.GetAsync("/health/ready");
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        return report?["checks"]?.AsArray().FirstOrDefault(c => c?["name"]?.GetValue<string>() == "novu")?["data"]?["state"]?.GetValue<string>();
    }
}
