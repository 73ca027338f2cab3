using System.Diagnostics;
using System.Text;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.Testing;

/// <summary>
/// <c>dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- subscribers [users] [backlog]</c>: what an identify
/// costs of Novu's configuration budget (issue 17), each measure side by side with its feature on and off, one worker in
/// process, a fresh stand-in each run.
/// <list type="bullet">
/// <item>A realistic mix: [users] users (200) each send the same identify 10 times (page loads, app starts), then one with
/// a changed trait: Novu calls and configuration tokens per identify, with <c>Novu:Subscribers:SkipUnchanged</c> on and off.</item>
/// <item>A backlog of [backlog] identifies (10,000) of distinct users behind Novu's free-plan configuration bucket (20 a
/// second): the drain rate, subscribers written per second, with <c>Novu:Subscribers:Bulk:Enabled</c> on and off. The
/// single run is measured over its first 60 s (it would need [backlog] / 20 s to drain).</item>
/// </list>
/// </summary>
static class SubscriberMeasurement
{
    public static async Task RunAsync(int users, int backlog)
    {
        Console.WriteLine($"{users} users × (10 identical identifies + 1 changed), Novu's buckets unbounded for the mix:");
        foreach (var skip in new[] { false, true })
        {
            await using var stack = await SegmentNovuStack.StartAsync(Settings(100_000, new()
            {
                ["Novu:Subscribers:SkipUnchanged"] = skip ? "true" : "false",
            }));
            await MixAsync(stack, users);
            var calls = stack.Novu.Requests.Where(r => NovuRateCategories.Of(r.Path.Split('?')[0]).Category == NovuRateCategory.Configuration).ToList();
            var tokens = calls.Sum(r => NovuRateCategories.Of(r.Path.Split('?')[0]).Tokens);
            var identifies = users * 11;
            Console.WriteLine($"  SkipUnchanged={skip,-5}: {identifies} identifies, {calls.Count} Novu calls ({calls.Count / (double)identifies:0.00} a identify), {tokens} configuration tokens");
        }

        Console.WriteLine($"{backlog} identifies of distinct users waiting, configuration bucket 20/s (free plan):");
        foreach (var bulk in new[] { false, true })
        {
            await using var stack = await SegmentNovuStack.StartAsync(Settings(20, new()
            {
                ["Novu:Subscribers:Bulk:Enabled"] = bulk ? "true" : "false",
            }));
            var stopwatch = await PostIdentifiesAsync(stack, backlog);
            var window = bulk ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(60);
            while (stack.Novu.Subscribers.Count < backlog && stopwatch.Elapsed < window)
                await Task.Delay(250);
            var written = stack.Novu.Subscribers.Count;
            var bulkCalls = stack.Novu.Requests.Count(r => r.Path.StartsWith("/v1/subscribers/bulk", StringComparison.Ordinal) && r.Status is >= 200 and < 300);
            var rejected = stack.Novu.Requests.Count(r => r.Status == 429);
            Console.WriteLine($"  Bulk={bulk,-5}: {written} of {backlog} written in {stopwatch.Elapsed.TotalSeconds:0} s: {written / stopwatch.Elapsed.TotalSeconds:0.0} subscribers/s" +
                $" ({bulkCalls} bulk calls, {rejected} answered 429)");
        }
    }

    static Dictionary<string, string?> Settings(double configurationRate, Dictionary<string, string?> extra) =>
        BenchSettings.Unbounded([("StandIn:SubscriberRatePerSecond", BenchSettings.Rate(configurationRate)), .. extra.Select(e => (e.Key, e.Value))]);

    /// <summary>Each user's identifies in order, one request per round (a round holds one identify of every user).</summary>
    static async Task MixAsync(SegmentNovuStack stack, int users)
    {
        using var client = stack.CreateIngestClient();
        for (var round = 0; round < 11; round++)
        {
            var plan = round == 10 ? "premium" : "free";
            var batch = "[" + string.Join(",", Enumerable.Range(0, users).Select(u =>
                $$$"""{"type":"identify","messageId":"mix-{{{u}}}-{{{round}}}","userId":"u-{{{u}}}","traits":{"email":"u-{{{u}}}@example.com","plan":"{{{plan}}}"}}""")) + "]";
            using var response = await client.PostAsync("/webhooks/segment", new StringContent(batch, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
        // Every user's last identify changed its plan: the mix is done when every subscriber has it.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Subscribers.Count >= users
            && stack.Novu.Subscribers.Values.All(s => s["data"]?["plan"]?.GetValue<string>() == "premium"), "every user's change reached Novu", TimeSpan.FromMinutes(5));
        // Let redelivered or late identical identifies land before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    static async Task<Stopwatch> PostIdentifiesAsync(SegmentNovuStack stack, int count)
    {
        using var client = stack.CreateIngestClient();
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, (count + 99) / 100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            var body = "[" + string.Join(",", Enumerable.Range(batch * 100, Math.Min(100, count - batch * 100)).Select(i =>
                $$$"""{"type":"identify","messageId":"backlog-{{{i}}}","userId":"b-{{{i}}}","traits":{"email":"b-{{{i}}}@example.com"}}""")) + "]";
            using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
        });
        return stopwatch;
    }
}
