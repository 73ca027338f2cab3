using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// Issue 30's long outage, shortened in its settings, not in the code's logic: 2,000 tracks of 200 users posted while
/// Novu answers every trigger 503, for some 40 s, forty times <c>Retry:KillSwitch:RestartTimeout</c> (1 s) and eight times
/// <c>Worker:NovuPauseLimit</c> (5 s), so waiting deliveries probe, wait out their limit and are parked for redelivery, again
/// and again; the worker is stopped (as SIGTERM stops it) and started again in the middle. Before the gate, an outage of
/// some 20 switch cycles moved heads to <c>_error</c> as <c>delivery-limit</c> and left partitions without a consumer.
/// </summary>
public sealed class When_novu_stays_down_through_a_worker_restart
{
    const int Users = 200;
    const int EventsPerUser = 10;

    [Fact]
    public async Task Should_deliver_every_event_in_each_users_order_with_none_dead_lettered()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Retry:KillSwitch:Enabled", "true"),
            ("Retry:KillSwitch:ActivationThreshold", "10"),
            ("Retry:KillSwitch:TripThreshold", "50"),
            ("Retry:KillSwitch:TrackingPeriod", "00:00:10"),
            ("Retry:KillSwitch:RestartTimeout", "00:00:01"),
            ("Worker:NovuPauseLimit", "00:00:05"),
            ("Worker:ConsumerStopTimeout", "00:00:02"),
            ("StandIn:Delays:Triggers", "00:00:00.020"));

        // Novu is down before the events come, so that the outage meets the whole backlog (2,000 events drain in seconds).
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 1_000_000));
        using (var client = stack.CreateIngestClient())
        {
            // Event n of every user in one request, n = 1..10: each user's events are published in order.
            for (var n = 1; n <= EventsPerUser; n++)
            {
                var batch = "[" + string.Join(",", Enumerable.Range(0, Users).Select(u =>
                    $$"""{"type":"track","messageId":"long-{{u}}-{{n}}","userId":"long-user-{{u}}","event":"User Registered"}""")) + "]";
                using var response = await client.PostAsync("/webhooks/segment", new StringContent(batch, Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
            }
        }
        await SegmentNovuStack.WaitUntilAsync(() => When_novu_has_an_outage.NovuStateAsync(stack).GetAwaiter().GetResult() == "novu-outage",
            "the worker said Novu is down");
        await Task.Delay(TimeSpan.FromSeconds(20)); // the outage goes on: probes fail, deliveries are parked and come back
        await stack.StopWorkerAsync();
        await stack.StartWorkerAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        stack.Novu.ClearFaults();

        var total = Users * EventsPerUser;
        try
        {
            await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= total, $"all {total} events were delivered after the outage",
                TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{stack.Novu.Notifications.Count} of {total} events delivered; queues: {await stack.Broker.DescribeQueuesAsync(stack.RabbitMq)}");
        }

        var deadLetters = 0u;
        foreach (var partition in new TopologyOptions().All.Select(SegmentQueues.PartitionQueue))
            deadLetters += await stack.CountAsync(SegmentQueues.ErrorQueueOf(partition));
        Assert.Equal(0u, deadLetters);
        // Each user's events reached Novu in the order they were sent.
        var outOfOrder = stack.Novu.Notifications
            .GroupBy(n => n.TransactionId[..n.TransactionId.LastIndexOf('-')], StringComparer.Ordinal)
            .Where(g => !g.Select(n => int.Parse(n.TransactionId[(n.TransactionId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
                .SequenceEqual(Enumerable.Range(1, EventsPerUser)))
            .Select(g => g.Key).ToList();
        Assert.True(outOfOrder.Count == 0, $"{outOfOrder.Count} users' events reached Novu out of order: {string.Join(", ", outOfOrder.Take(10))}");
    }
}
