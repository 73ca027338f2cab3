using System.Text.Json.Nodes;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.UnitTests.Novu.Pacing;
using SegmentNovuWorker.UnitTests.NovuStandIn;

namespace SegmentNovuWorker.UnitTests.Novu.Subscribers;

/// <summary>
/// <see cref="SegmentNovuWorker.Novu.Subscribers.SubscriberUpserts"/> behind <see cref="NovuClient.UpsertSubscriberAsync"/>, wired as the
/// worker wires it, against the stand-in's bulk endpoint and its configuration bucket (40/s: 220 tokens). No assertion is a timing.
/// </summary>
public sealed class When_upserts_wait_for_the_configuration_budget
{
    const string Bulk = "/v1/subscribers/bulk";

    static async Task<(StandIn StandIn, PacedNovu Novu)> StartAsync()
    {
        var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:SubscriberRatePerSecond"] = "40" });
        var novu = PacedNovu.For(standIn);
        // One answer teaches the pacer Novu's bucket; before it nothing is known of its size, and no bulk is tried.
        await novu.Client.UpsertSubscriberAsync(new SubscriberUpsert("warm-up"), "key-warm-up", CancellationToken.None);
        // Then empty the bucket, so that the upserts of the spec wait for tokens (in a row: fewer than a bulk, each goes alone).
        for (var i = 0; i < 200; i++)
            await novu.Client.UpsertSubscriberAsync(new SubscriberUpsert($"fill-{i}"), $"fill-{i}", CancellationToken.None);
        return (standIn, novu);
    }

    static SubscriberUpsert Subscriber(int i) => new($"user-{i}", Email: $"user-{i}@example.com", FirstName: $"User {i}");

    /// <summary>Starts <paramref name="count"/> upserts of different subscribers at once; each task is that caller's outcome.</summary>
    static Task[] UpsertMany(PacedNovu novu, int count, Func<int, CancellationToken>? token = null) =>
        [.. Enumerable.Range(0, count).Select(i => novu.Client.UpsertSubscriberAsync(Subscriber(i), $"key-{i}", token?.Invoke(i) ?? CancellationToken.None))];

    static string[] SubscribersIn(ReceivedRequest bulk) =>
        [.. JsonNode.Parse(bulk.Body)!["subscribers"]!.AsArray().Select(s => s!["subscriberId"]!.GetValue<string>())];

    static async Task SettleAsync(Task[] calls)
    {
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            // each caller's own outcome is asserted from its task
        }
    }

    [Fact]
    public async Task Should_send_waiting_upserts_as_bulk_calls_and_spend_fewer_tokens_than_subscribers()
    {
        var (standIn, novu) = await StartAsync();
        await using var _ = standIn;
        using var __ = novu;

        await Task.WhenAll(UpsertMany(novu, 400));

        var requests = standIn.State.Requests.Where(r => r.Path.StartsWith("/v", StringComparison.Ordinal)).ToList();
        var bulks = requests.Where(r => r.Path == Bulk).ToList();
        Assert.NotEmpty(bulks);
        Assert.All(bulks, b => Assert.InRange(SubscribersIn(b).Length, 101, 500));
        Assert.All(Enumerable.Range(0, 400), i => Assert.Equal($"user-{i}@example.com", standIn.State.Subscribers[$"user-{i}"]["email"]!.GetValue<string>()));
        var tokens = requests.Where(r => r.Status != 429).Sum(r => r.Path == Bulk ? 100 : 1);
        Assert.True(tokens < 601, $"{tokens} configuration tokens for 601 upserts");
        Assert.Equal(0, requests.Count(r => r.Status == 429));
    }

    [Fact]
    public async Task Should_fill_the_bulk_with_the_upserts_that_arrive_while_the_bucket_cannot_pay_for_it()
    {
        // Novu's free plan: 20 configuration tokens a second, 110 in the bucket; a bulk waits about 5 s for its 100.
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:SubscriberRatePerSecond"] = "20" });
        using var novu = PacedNovu.For(standIn);
        await novu.Client.UpsertSubscriberAsync(new SubscriberUpsert("warm-up"), "key-warm-up", CancellationToken.None);
        // A full bucket pays a bulk at once: 300 upserts empty it.
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => novu.Client.UpsertSubscriberAsync(new SubscriberUpsert($"fill-{i}"), $"fill-{i}", CancellationToken.None)));
        var remaining = novu.Pace(NovuRateCategory.Configuration).EstimatedRemaining;
        Assert.True(remaining < 60, $"the bucket was not emptied: {remaining} tokens");
        var filled = standIn.State.Requests.Count(r => r.Path == Bulk);

        // The first MinBatch (101) wait for the budget, and the pacer holds a call back for it...
        var first = Enumerable.Range(0, 101).Select(i => novu.Client.UpsertSubscriberAsync(Subscriber(i), $"key-{i}", CancellationToken.None)).ToList();
        while (novu.Pace(NovuRateCategory.Configuration).Waiting == 0 && !first.Any(t => t.IsCompleted))
            await Task.Delay(10);
        // ...then 399 more arrive, long before the bucket holds a bulk's 100 tokens again (a worker's held deliveries
        // replaced one by one): they ride in the same bulk, not in a second one.
        var more = Enumerable.Range(101, 399).Select(i => novu.Client.UpsertSubscriberAsync(Subscriber(i), $"key-{i}", CancellationToken.None));
        await Task.WhenAll([.. first, .. more]);

        var bulks = standIn.State.Requests.Where(r => r.Path == Bulk).Skip(filled).Select(b => SubscribersIn(b).Length).ToList();
        Assert.NotEmpty(bulks);
        Assert.True(bulks[0] >= 450, $"bulk calls carried {string.Join(", ", bulks)} of the 500 upserts");
        Assert.Equal(500, standIn.State.Subscribers.Keys.Count(k => k.StartsWith("user-", StringComparison.Ordinal)));
        Assert.Equal(0, standIn.State.Requests.Count(r => r.Status == 429));
    }

    [Fact]
    public async Task Should_give_each_caller_its_own_subscribers_outcome_when_one_fails_in_the_bulk()
    {
        var (standIn, novu) = await StartAsync();
        await using var _ = standIn;
        using var __ = novu;
        // Which upserts share a bulk depends on how fast the callers queue against the pump (a loaded machine let the last
        // one go alone once): several subscribers fail their write, each is judged by where it went, and one at least
        // must have gone in a bulk.
        string[] failing = ["user-100", "user-200", "user-300", "user-399"];
        foreach (var id in failing)
            standIn.State.FailSubscriberWrites(id, "Document failed validation");

        var calls = UpsertMany(novu, 400);
        await SettleAsync(calls);

        var inBulk = standIn.State.Requests.Where(r => r.Path == Bulk).SelectMany(SubscribersIn).ToHashSet();
        Assert.Contains(failing, inBulk.Contains);
        for (var i = 0; i < calls.Length; i++)
        {
            if (failing.Contains($"user-{i}") && inBulk.Contains($"user-{i}"))
            {
                var failure = Assert.IsType<NovuRejectedException>(calls[i].Exception?.InnerException);
                Assert.Equal("Document failed validation", failure.NovuMessage);
                Assert.Contains($"user-{i}", failure.Message);
            }
            else
                Assert.True(calls[i].IsCompletedSuccessfully, $"user-{i}: {calls[i].Exception?.InnerException?.Message}");
        }
        Assert.Equal(400 - failing.Count(inBulk.Contains), standIn.State.Subscribers.Keys.Count(k => k.StartsWith("user-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_send_a_bulk_refused_as_a_whole_again_one_by_one()
    {
        var (standIn, novu) = await StartAsync();
        await using var _ = standIn;
        using var __ = novu;
        standIn.State.AddFault(new Fault(Bulk, 422, Message: "subscribers.3.email must be an email", InHandler: true));

        await Task.WhenAll(UpsertMany(novu, 400));

        var refused = standIn.State.Requests.First(r => r.Path == Bulk);
        Assert.Equal(422, refused.Status);
        var singles = standIn.State.Requests.Where(r => r.Path == "/v2/subscribers" && r.Status == 201).Select(r => JsonNode.Parse(r.Body)!["subscriberId"]!.GetValue<string>()).ToHashSet();
        var sentAlone = SubscribersIn(refused).Where(singles.Contains).ToList();
        Assert.Equal(SubscribersIn(refused).Length, sentAlone.Count);
        Assert.Equal(400, standIn.State.Subscribers.Keys.Count(k => k.StartsWith("user-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_fail_every_caller_of_a_bulk_retryably_when_novu_fails_it()
    {
        var (standIn, novu) = await StartAsync();
        await using var _ = standIn;
        using var __ = novu;
        standIn.State.AddFault(new Fault(Bulk, 503));

        var calls = UpsertMany(novu, 400);
        await SettleAsync(calls);

        var failedBulk = standIn.State.Requests.First(r => r.Path == Bulk && r.Status == 503);
        var inIt = SubscribersIn(failedBulk).Select(id => int.Parse(id["user-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.NotEmpty(inIt);
        Assert.All(inIt, i => Assert.IsType<NovuRetryableException>(calls[i].Exception?.InnerException));
        Assert.All(Enumerable.Range(0, 400).Where(i => !inIt.Contains(i)), i => Assert.True(calls[i].IsCompletedSuccessfully));
        // Each caller has its own exception: many consumers throw them at once.
        Assert.Equal(inIt.Count, inIt.Select(i => calls[i].Exception!.InnerException).Distinct().Count());
    }

    [Fact]
    public async Task Should_end_a_cancelled_callers_wait_and_leave_it_out_of_the_calls_still_to_come()
    {
        var (standIn, novu) = await StartAsync();
        await using var _ = standIn;
        using var __ = novu;
        // 50 upserts, fewer than a bulk needs: each goes alone, one token at a time.
        using var cancel = new CancellationTokenSource();

        var calls = UpsertMany(novu, 50, i => i >= 10 ? cancel.Token : CancellationToken.None);
        await cancel.CancelAsync();
        await SettleAsync(calls);

        Assert.All(calls.Take(10), c => Assert.True(c.IsCompletedSuccessfully));
        Assert.All(calls.Skip(10), c => Assert.True(c.IsCompletedSuccessfully || c.IsCanceled, $"a cancelled caller ended {c.Status}"));
        var neverSent = Enumerable.Range(10, 40).Count(i => !standIn.State.Requests.Any(r => r.Body.Contains($"\"user-{i}\"", StringComparison.Ordinal)));
        Assert.True(neverSent > 0, "cancelled upserts still waiting were never sent");
        Assert.Equal(0, novu.Pace(NovuRateCategory.Configuration).Waiting);
    }
}
