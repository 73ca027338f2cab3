using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// 4,000 tracks of 500 users under way when Novu goes down for 8 s: the breaker opens, deliveries wait at the gate, one
/// probes every 2 s. Before the gate (issue 30) the outage stopped the endpoints, stops were cut short, and in 2 runs of 7
/// some events stayed behind holds whose head the worker never finished.
/// </summary>
public sealed class When_an_outage_hits_a_loaded_worker
{
    const int Events = 4000;

    [Fact]
    public async Task Should_consume_each_partition_again_with_one_consumer_and_drain_it()
    {
        await using var stack = await ThroughAFlappingOutageAsync();
        // Drained and consumed: no partition has a ready message, and each has exactly one consumer, for 5 s on end.
        var settledSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow - settledSince < TimeSpan.FromSeconds(5))
        {
            var states = await Task.WhenAll(Partitions.Select(p => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, p)));
            if (!states.All(s => s is { Messages: 0, Consumers: 1 }))
                settledSince = DateTime.UtcNow;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"the partitions did not settle at one consumer each and no ready message; {await DescribeAsync(stack)}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Should_deliver_every_event()
    {
        await using var stack = await ThroughAFlappingOutageAsync();
        const int events = Events;
        var delivered = () => stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count();
        try
        {
            await SegmentNovuStack.WaitUntilAsync(() => delivered() >= events, "every event was delivered after the outage", TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            // Where the missing ones are: in a user's hold, held unacknowledged by the worker (back in the queue once
            // it stops), or nowhere.
            var seen = stack.Novu.Notifications.Select(n => n.TransactionId).ToHashSet();
            var missing = Enumerable.Range(0, events).Select(i => $"load-{i}").Where(id => !seen.Any(t => t?.Contains(id) == true)).ToList();
            var holds = new List<string>();
            foreach (var user in missing.Select(id => $"u-{int.Parse(id["load-".Length..]) % 500}").Distinct().Take(20))
                holds.Add($"{user}: {await RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.HoldQueueOf(SegmentPartitions.UserHash(user)))}");
            var running = await DescribeAsync(stack);
            await stack.StopWorkerAsync();
            Assert.Fail($"{delivered()} of {events} events delivered; missing {string.Join(", ", missing.Take(20))}; their users' holds " +
                $"{string.Join(", ", holds)}; partitions {running}; after the worker stopped {await DescribeAsync(stack)}");
        }
    }

    /// <summary>4,000 tracks of 500 users under way, then Novu down for 8 s; stops, if any came, would be cut short at 1 s.</summary>
    static async Task<SegmentNovuStack> ThroughAFlappingOutageAsync()
    {
        var stack = await FailureStack.StartAsync(
            ("Retry:KillSwitch:Enabled", "true"),
            ("Retry:KillSwitch:ActivationThreshold", "20"),
            ("Retry:KillSwitch:TripThreshold", "50"),
            ("Retry:KillSwitch:TrackingPeriod", "00:00:10"),
            ("Retry:KillSwitch:RestartTimeout", "00:00:02"),
            ("Worker:ConsumerStopTimeout", "00:00:01"),
            // Redeliveries that outlast the outage: what this test watches is consumption coming back, not events running out of tries.
            ("Retry:Redelivery:0", "00:00:01"),
            ("Retry:Redelivery:1", "00:00:02"),
            ("Retry:Redelivery:2", "00:00:04"),
            ("Retry:Redelivery:3", "00:00:08"),
            ("Retry:Redelivery:4", "00:00:16"),
            ("StandIn:Delays:Triggers", "00:00:00.050"));
        try
        {
            await FlapAsync(stack);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    static async Task FlapAsync(SegmentNovuStack stack)
    {
        const int events = Events;
        using var client = stack.CreateIngestClient();
        await Parallel.ForEachAsync(Enumerable.Range(0, events / 100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (b, ct) =>
        {
            var body = "[" + string.Join(",", Enumerable.Range(b * 100, 100).Select(i =>
                $$"""{"type":"track","messageId":"load-{{i}}","userId":"u-{{i % 500}}","event":"User Registered"}""")) + "]";
            using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
        });
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= 200, "the worker is under way");
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 100_000));
        await SegmentNovuStack.WaitUntilAsync(() => When_novu_has_an_outage.NovuStateAsync(stack).GetAwaiter().GetResult() == "novu-outage",
            "the worker said Novu is down");
        await Task.Delay(TimeSpan.FromSeconds(8)); // one event probes every 2 s, and fails
        stack.Novu.ClearFaults();
    }

    static IEnumerable<string> Partitions => new TopologyOptions().All.Select(SegmentQueues.PartitionQueue);

    /// <summary>Each partition's ready messages and consumers, and its dead letters by reason.</summary>
    static async Task<string> DescribeAsync(SegmentNovuStack stack)
    {
        var lines = new List<string>();
        foreach (var partition in Partitions)
        {
            var state = await RabbitMqBroker.QueueStateAsync(stack.RabbitMq, partition);
            var deadLetters = await QueuedMessage.PeekAllAsync(stack.RabbitMq, SegmentQueues.ErrorQueueOf(partition));
            // With the first one's fault message: an unexpected error says nothing by its reason alone.
            var reasons = string.Join(", ", deadLetters.GroupBy(d => d.Header(DeadLetterHeaders.Reason))
                .Select(g => $"{g.Count()} {g.Key} ({g.First().Header("MT-Fault-ExceptionType")}: {g.First().Header("MT-Fault-Message")})"));
            lines.Add($"{partition}: {state?.Messages} ready, {state?.Consumers} consumers, dead letters: {(reasons.Length == 0 ? "none" : reasons)}");
        }
        return string.Join("; ", lines);
    }
}
