using System.Diagnostics;
using System.Text;
using SegmentNovuWorker.Testing;

// Usage: dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- [events] [batch size] [concurrent requests]
// Posts track events to the ingest API in Actions-style batches, waits until the Novu stand-in has triggered every
// one, and prints ingest (broker-confirmed) and end-to-end rates. The broker is the same as the tests use.
// Or: dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- actions-batch [runs] (see ActionsBatchMeasurement).
if (args.Length > 0 && args[0] == "actions-batch")
{
    await ActionsBatchMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 3);
    return;
}

var events = args.Length > 0 ? int.Parse(args[0]) : 5000;
var batchSize = args.Length > 1 ? int.Parse(args[1]) : 100;
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 4;

await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
{
    ["Logging:LogLevel:Default"] = "Warning",
    ["StandIn:TriggerRatePerSecond"] = "100000",
    ["StandIn:SubscriberRatePerSecond"] = "100000",
});
using var client = stack.CreateIngestClient();
var run = Guid.NewGuid().ToString("N")[..8];

string Batch(int start) => "[" + string.Join(",", Enumerable.Range(start, Math.Min(batchSize, events - start)).Select(i =>
    $$$"""{"type":"track","messageId":"bench-{{{run}}}-{{{i}}}","userId":"u-{{{i % 1000}}}","event":"User Registered","properties":{"plan":"Pro","i":{{{i}}}}}""")) + "]";

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

await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= events, "every event was triggered", TimeSpan.FromMinutes(10));
var delivered = clock.Elapsed;

latencies.Sort();
Console.WriteLine($"broker: {stack.Broker.Kind}; {events} track events, batches of {batchSize}, {concurrency} concurrent requests");
Console.WriteLine($"ingest:     {events / ingested.TotalSeconds,8:0} events/s accepted (publisher-confirmed), {ingested.TotalSeconds:0.00} s");
Console.WriteLine($"            request latency p50 {latencies[latencies.Count / 2]:0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:0} ms per batch");
Console.WriteLine($"end to end: {events / delivered.TotalSeconds,8:0} events/s triggered in Novu, {delivered.TotalSeconds:0.00} s, {stack.Novu.Requests.Count} Novu calls");
