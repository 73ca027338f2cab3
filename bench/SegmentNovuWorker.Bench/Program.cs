using System.Diagnostics;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

// Usage: dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- [events] [batch size] [concurrent requests] [users]
// Posts track events of [users] users to the ingest API in Actions-style batches, waits until the Novu stand-in has
// triggered every one, and prints ingest (broker-confirmed) and end-to-end rates: first with the worker in process,
// then with two worker processes sharing the partitions, with how many partitions and events each one took.
// The broker is the same as the tests use.
// Or: dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- actions-batch [runs] (see ActionsBatchMeasurement).
// Or: -- pacing [events] [rate]: goodput against Novu's limits and the 429 share, one and two workers (PacingMeasurement).
// Or: -- flow-control: all of issue 14's measures in one run: pacing, a burst's effect on other users, recovery after a
// broker restart, Novu's latency hidden (FlowControlMeasurement).
// Or: -- burst [tracks]: only other users' delay behind one user's burst (400 by default; flow-control runs 400 and 4,000).
// Or: -- restart [runs]: only the broker restart under load, [runs] times, with the worker's consumption decisions logged.
// Or: -- subscribers [users] [backlog]: identify calls per identify with and without the unchanged-identify memory, and a
// backlog's drain rate at the free plan's configuration bucket, bulk against single (SubscriberMeasurement).
// Or: -- cost [events] [backlog]: issue 17's cost of an event side by side: a seed-shaped direct trigger loop, a raw
// confirmed publish, this service batched and single-event, an open loop, the worker's RSS on a backlog (CostMeasurement).
// Or: -- baselines [events]: only measures 1 and 2 of those. -- batched [events] [novu delay]: only measure 3 (one Novu delay, 00:00:00 by default), to profile it.
// Or: -- backlog [events]: only the last of those, the worker process's RSS while it drains a backlog.
// Or: -- users-per-request [events] [batch]: the ingest alone with a request's 100 (or [batch]) events of as many, 10 or 1 users: what per-user
// order (one confirm round trip per event of a user) costs a request.
if (args.Length > 0 && args[0] is "pacing" or "flow-control")
{
    await PacingMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 8000,
        args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
    if (args[0] == "pacing")
        return;
    await FlowControlMeasurement.BurstAsync(400);
    await FlowControlMeasurement.BurstAsync(4000);
    await FlowControlMeasurement.RestartAsync();
    await FlowControlMeasurement.LatencyAsync();
    return;
}
if (args.Length > 0 && args[0] == "burst")
{
    await FlowControlMeasurement.BurstAsync(args.Length > 1 ? int.Parse(args[1]) : 400);
    return;
}
if (args.Length > 0 && args[0] == "restart")
{
    for (var run = 0; run < (args.Length > 1 ? int.Parse(args[1]) : 1); run++)
        await FlowControlMeasurement.RestartAsync(showConsumption: true);
    return;
}
if (args.Length > 0 && args[0] == "subscribers")
{
    await SubscriberMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 200, args.Length > 2 ? int.Parse(args[2]) : 10_000);
    return;
}
if (args.Length > 0 && args[0] == "cost")
{
    await CostMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 5000, args.Length > 2 ? int.Parse(args[2]) : 100_000);
    return;
}
if (args.Length > 0 && args[0] == "delivery-log-search")
{
    DeliveryLogSearchMeasurement.Run(args.Length > 1 ? int.Parse(args[1]) : 1_000_000);
    return;
}
if (args.Length > 0 && args[0] == "delivery-log")
{
    await DeliveryLogMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 5000, args.Length > 2 ? int.Parse(args[2]) : 3);
    return;
}
if (args.Length > 0 && args[0] == "baselines")
{
    await CostMeasurement.BaselinesAsync(args.Length > 1 ? int.Parse(args[1]) : 5000);
    return;
}
if (args.Length > 0 && args[0] == "batched")
{
    await CostMeasurement.BatchedAsync(args.Length > 1 ? int.Parse(args[1]) : 5000, args.Length > 2 ? args[2] : "00:00:00");
    return;
}
if (args.Length > 0 && args[0] == "users-per-request")
{
    await CostMeasurement.UsersPerRequestAsync(args.Length > 1 ? int.Parse(args[1]) : 20_000, args.Length > 2 ? int.Parse(args[2]) : 100);
    return;
}
if (args.Length > 0 && args[0] == "backlog")
{
    await CostMeasurement.BacklogAsync(args.Length > 1 ? int.Parse(args[1]) : 100_000);
    return;
}
if (args.Length > 0 && args[0] == "actions-batch")
{
    await ActionsBatchMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 3);
    return;
}

var events = args.Length > 0 ? int.Parse(args[0]) : 5000;
var batchSize = args.Length > 1 ? int.Parse(args[1]) : 100;
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 4;
var users = args.Length > 3 ? int.Parse(args[3]) : 1000;

var settings = BenchSettings.Unbounded(("Worker:BalanceInterval", "00:00:01"));

Console.WriteLine($"{events} track events of {users} users, batches of {batchSize}, {concurrency} concurrent requests");
await using (var stack = await SegmentNovuStack.StartAsync(settings))
{
    Console.WriteLine($"broker: {stack.Broker.Kind}");
    await RunAsync(stack, "one worker", "one");
}

await using (var stack = await SegmentNovuStack.StartAsync(settings, startWorker: false))
{
    using var first = WorkerProcess.Start(stack.Settings);
    using var second = WorkerProcess.Start(stack.Settings);
    await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.Workers).GetAwaiter().GetResult()
        is { Consumers: 2 }, "both workers started", TimeSpan.FromMinutes(2));
    await RunAsync(stack, "two workers (warm-up: they share the partitions)", "warm");
    await RunAsync(stack, "two workers", "two");

    var consumers = await stack.Broker.ConsumersAsync(stack.RabbitMq);
    foreach (var worker in new[] { first, second })
    {
        var partitions = consumers.Count(c => c.Active && SegmentQueues.IsPartitionQueue(c.Queue) && c.Connection.EndsWith($":{worker.Id}", StringComparison.Ordinal));
        Console.WriteLine($"            worker pid {worker.Id}: active consumer of {partitions} of {new TopologyOptions().Partitions} partitions");
    }
}

async Task RunAsync(SegmentNovuStack stack, string label, string run)
{
    using var client = stack.CreateIngestClient();
    var before = stack.Novu.Notifications.Count;

    string Batch(int start) => "[" + string.Join(",", Enumerable.Range(start, Math.Min(batchSize, events - start)).Select(i =>
        $$$"""{"type":"track","messageId":"bench-{{{run}}}-{{{i}}}","userId":"u-{{{i % users}}}","event":"User Registered","properties":{"plan":"Pro","i":{{{i}}}}}""")) + "]";

    var batches = Enumerable.Range(0, (events + batchSize - 1) / batchSize).Select(b => b * batchSize).ToArray();
    var latencies = new List<double>();
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (start, ct) =>
    {
        var body = Batch(start);
        var sent = Stopwatch.StartNew();
        using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        response.EnsureSuccessStatusCode();
        lock (latencies)
            latencies.Add(sent.Elapsed.TotalMilliseconds);
    });
    var ingested = clock.Elapsed;

    await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= before + events, "every event was triggered", TimeSpan.FromMinutes(10));
    var delivered = clock.Elapsed;

    latencies.Sort();
    Console.WriteLine($"{label}:");
    Console.WriteLine($"  ingest:     {events / ingested.TotalSeconds,8:0} events/s accepted (publisher-confirmed), {ingested.TotalSeconds:0.00} s; " +
        $"batch p50 {latencies[latencies.Count / 2]:0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0} ms");
    Console.WriteLine($"  end to end: {events / delivered.TotalSeconds,8:0} events/s triggered in Novu, {delivered.TotalSeconds:0.00} s");
}
