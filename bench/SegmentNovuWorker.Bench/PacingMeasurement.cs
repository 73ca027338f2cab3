using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

/// <summary>
/// <c>dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- pacing [events] [rate]</c>: the stand-in plays
/// Novu's buckets at [rate] calls a second for triggers and for configuration (subscribers); [events] events, half
/// identifies and half tracks of distinct users, are posted in a burst, with one worker in process and then with two
/// worker processes (each on a fresh stand-in, so each starts with full buckets). Prints, per bucket and in tokens (a
/// bulk call spends 100), the share of what the bucket allowed over the run (its burst plus rate × the run's time) that
/// accepted calls spent and that was useful (not an event sent again), and the share of calls answered 429.
/// </summary>
static class PacingMeasurement
{
    public static async Task RunAsync(int events, double rate)
    {
        var settings = BenchSettings.Unbounded(("StandIn:TriggerRatePerSecond", BenchSettings.Rate(rate)),
            ("StandIn:SubscriberRatePerSecond", BenchSettings.Rate(rate)), ("Worker:BalanceInterval", "00:00:01"));
        Console.WriteLine($"{events} events (half identify, half track) in a burst; stand-in buckets: {rate}/s, {NovuRateCategories.BucketSize(rate)} tokens, per category");

        await using (var stack = await SegmentNovuStack.StartAsync(settings))
        {
            await BurstAsync(stack, events, "one");
            Report(stack, "one worker", rate);
            foreach (var pace in stack.WorkerApp!.Services.GetRequiredService<NovuPacer>().Snapshot().Where(p => p.Limit is not null))
                Console.WriteLine($"    {pace.Category,-13} paced waits {pace.PacedWaits}, {pace.PacedWaitSeconds:0} s in all; concurrency bound {pace.ConcurrencyBound}; p90 latency {pace.LatencyP90?.TotalMilliseconds:0} ms");
        }

        await using (var stack = await SegmentNovuStack.StartAsync(settings, startWorker: false))
        {
            using var first = WorkerProcess.Start(stack.Settings);
            using var second = WorkerProcess.Start(stack.Settings);
            await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.Workers).GetAwaiter().GetResult()
                is { Consumers: 2 }, "both workers started", TimeSpan.FromMinutes(2));
            await BurstAsync(stack, events, "two");
            Report(stack, "two workers", rate);
        }
    }

    static async Task BurstAsync(SegmentNovuStack stack, int events, string run)
    {
        var users = events / 2;
        using var client = stack.CreateIngestClient();
        string Event(int i)
        {
            var (user, id) = ($"u-{run}-{i / 2}", $"pace-{run}-{i}");
            return i % 2 == 0
                ? $$$"""{"type":"identify","messageId":"{{{id}}}","userId":"{{{user}}}","traits":{"email":"{{{user}}}@example.com"}}"""
                : $$$"""{"type":"track","messageId":"{{{id}}}","userId":"{{{user}}}","event":"User Registered","properties":{"plan":"pro"}}""";
        }
        await Parallel.ForEachAsync(Enumerable.Range(0, (users * 2 + 99) / 100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            var body = "[" + string.Join(",", Enumerable.Range(batch * 100, Math.Min(100, users * 2 - batch * 100)).Select(Event)) + "]";
            using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
        });
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= users && stack.Novu.Subscribers.Count >= users,
            "every event reached Novu", TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Per bucket, in tokens (a bulk call spends 100, as Novu counts it, not 1): what the accepted calls spent, the part
    /// that was useful (an event's first accepted call; a call repeated for an event already accepted, e.g. after a
    /// redelivery, spends budget for nothing), over what the bucket allowed from the category's first call to its last
    /// accepted one (the burst plus rate × that time), and the share of calls answered 429.
    /// </summary>
    static void Report(SegmentNovuStack stack, string label, double rate)
    {
        var requests = stack.Novu.Requests;
        Console.WriteLine($"{label}: {requests.Count} Novu calls, {requests.Count(r => r.Status == 429)} answered 429 ({Share(requests.Count(r => r.Status == 429), requests.Count):0.00} %)");
        foreach (var category in new[] { NovuRateCategory.Trigger, NovuRateCategory.Configuration })
        {
            var calls = requests.Where(r => NovuRateCategories.Of(r.Path.Split('?')[0]).Category == category).ToList();
            var done = calls.Where(r => r.Status is >= 200 and < 300).ToList();
            if (done.Count == 0)
                continue;
            var seconds = (done.Max(r => r.At) - calls.Min(r => r.At)).TotalSeconds;
            var allowed = NovuRateCategories.BucketSize(rate) + rate * seconds;
            var spent = done.Sum(Tokens);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var useful = done.Where(r => Tokens(r) > 1 || seen.Add(EventOf(r))).Sum(Tokens);
            var bulks = done.Count(r => Tokens(r) > 1);
            var repeated = done.Where(r => Tokens(r) == 1).GroupBy(EventOf).Where(g => g.Count() > 1).ToList();
            var redelivered = repeated.Count(g => g.Select(r => r.IdempotencyKey).Distinct().Count() > 1);
            Console.WriteLine($"  {NovuRateCategories.NameOf(category),-13} {done.Count} calls accepted ({bulks} bulk) in {seconds:0.0} s: {spent} tokens, " +
                $"{spent / allowed:0.00} of what the bucket allowed (burst + {rate}/s × time), useful {useful / allowed:0.00} " +
                $"({spent - useful} tokens on {repeated.Count} events sent again, {redelivered} of them under a new Idempotency-Key); " +
                $"{Share(calls.Count(r => r.Status == 429), calls.Count):0.00} % answered 429");
        }
    }

    static int Tokens(ReceivedRequest request) => NovuRateCategories.Of(request.Path.Split('?')[0]).Tokens;

    /// <summary>The event a call was for: a trigger's transactionId, a single upsert's subscriberId.</summary>
    static string EventOf(ReceivedRequest request)
    {
        var body = JsonNode.Parse(request.Body);
        return request.Path + " " + (body?["transactionId"] ?? body?["subscriberId"])?.GetValue<string>();
    }

    static double Share(int part, int all) => all == 0 ? 0 : 100.0 * part / all;
}
