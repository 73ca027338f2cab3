using System.Net;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.Novu.Pacing;

namespace SegmentNovuWorker.UnitTests.Novu.Pacing;

/// <summary>One category's pacer fed Novu's answers on a fake clock: what it lets through, and when.</summary>
public sealed class When_the_pacer_reads_novus_answers
{
    readonly FakeTimeProvider _clock = new();

    /// <summary>An answer from a bucket refilled at <paramref name="perSecond"/> (Novu's 5 s window, 10 % burst).</summary>
    static NovuRateLimitReading Answer(int remaining, double perSecond = 10, HttpStatusCode status = HttpStatusCode.Created) =>
        new(status, (int)(perSecond * 5), remaining, null, 5, NovuRateCategories.BucketSize(perSecond), "trigger", null);

    CategoryPacer Pacer() => new(NovuRateCategory.Trigger, null, maxInFlight: 1024, _clock);

    static async Task CallAsync(CategoryPacer pacer, NovuRateLimitReading answer)
    {
        using var lease = await pacer.AcquireAsync(1, CancellationToken.None);
        lease.Complete(answer);
    }

    [Fact]
    public async Task Should_hold_the_next_call_until_the_refill_brings_its_token_and_the_reserve()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 0)); // Novu: the bucket (55 tokens, 10 a second) is empty

        var next = pacer.AcquireAsync(1, CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        var waitingAt250Ms = pacer.Snapshot().Waiting;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        (await next.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();

        // Alone on the bucket: one token and the latency's reserve (2 tokens, Novu answering at once) at 10 a second: 300 ms.
        Assert.Equal(1, waitingAt250Ms);
        Assert.Equal(0, pacer.Snapshot().Waiting);
        Assert.Equal(1, pacer.Snapshot().PacedWaits);
    }

    [Fact]
    public async Task Should_say_when_a_bulk_could_be_paid_without_spending_its_tokens()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 0, perSecond: 20)); // Novu's free configuration bucket (110 tokens), empty

        var affordable = pacer.WhenAffordableAsync(100, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var at5s = (affordable.IsCompleted, pacer.Snapshot().Waiting);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        await affordable.WaitAsync(TimeSpan.FromSeconds(30));

        // 100 tokens and the lone worker's reserve (2 % of the bucket) at 20 a second: 5.11 s; told, nothing was spent.
        Assert.Equal((false, 1), at5s);
        Assert.Equal(0, pacer.Snapshot().Waiting);
        Assert.InRange(pacer.Snapshot().EstimatedRemaining!.Value, 102.2, 110);
        var bulk = pacer.AcquireAsync(100, CancellationToken.None).AsTask();
        Assert.True(bulk.IsCompletedSuccessfully, "the bulk itself waited");
        (await bulk).Dispose();
    }

    [Fact]
    public async Task Should_keep_a_tenth_of_the_bucket_back_once_other_clients_spend_it()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 54)); // sent before the rate was known: its place in Novu's order is loose
        await CallAsync(pacer, Answer(remaining: 50));
        await CallAsync(pacer, Answer(remaining: 54)); // Novu refilled: the estimate starts again from here
        for (var i = 1; i <= 12; i++)
            await CallAsync(pacer, Answer(remaining: 54 - 2 * i)); // another worker spends as much as this one
        await CallAsync(pacer, Answer(remaining: 0)); // and now the bucket is empty

        var next = pacer.AcquireAsync(1, CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        var waitingAt600Ms = pacer.Snapshot().Waiting;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        (await next.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();

        // Shared: one token and a reserve of 10 % of the bucket (5.5) at 10 a second: 650 ms.
        Assert.Equal(1, waitingAt600Ms);
        Assert.Equal(0, pacer.Snapshot().Waiting);
    }

    [Fact]
    public async Task Should_take_what_other_workers_spend_off_its_estimate_and_a_jump_as_a_refill()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 54));

        // Each of this worker's calls finds two tokens gone: its own and another worker's.
        for (var i = 1; i <= 10; i++)
            await CallAsync(pacer, Answer(remaining: 54 - 2 * i));
        var afterSharing = pacer.Snapshot().EstimatedRemaining;
        // Novu refilled (a call of the other worker found it short): Remaining jumps up.
        await CallAsync(pacer, Answer(remaining: 40));

        Assert.Equal(34, afterSharing!.Value, precision: 6);
        Assert.Equal(40, pacer.Snapshot().EstimatedRemaining!.Value, precision: 6);
    }

    [Fact]
    public async Task Should_not_mistake_novus_delayed_refill_for_an_empty_bucket()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 54));
        _clock.Advance(TimeSpan.FromSeconds(3)); // 30 tokens refilled, which Novu adds only once the bucket runs short

        await CallAsync(pacer, Answer(remaining: 53));

        // Full again (55, the refill capped at the bucket's size) less this call: not the 53 Novu's counter shows.
        Assert.Equal(54, pacer.Snapshot().EstimatedRemaining!.Value, precision: 6);
    }

    [Fact]
    public async Task Should_hold_the_category_for_the_retry_after_of_a_429()
    {
        using var pacer = Pacer();
        await CallAsync(pacer, Answer(remaining: 30));
        using (var limited = await pacer.AcquireAsync(1, CancellationToken.None))
            limited.Complete(Answer(remaining: 0, status: HttpStatusCode.TooManyRequests));
        var waitedOut = pacer.WaitOutTooManyRequestsAsync(TimeSpan.FromSeconds(2), CancellationToken.None);

        var other = pacer.AcquireAsync(1, CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(1900));
        var waitingBeforeRetryAfter = pacer.Snapshot().Waiting;
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        (await other.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        await waitedOut.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, waitingBeforeRetryAfter);
        Assert.Equal(1, pacer.Snapshot().TooManyRequests);
    }

    [Theory]
    [InlineData(100, 32)] // ceil(100/s × 0.2 s × 1.5) + 2
    [InlineData(10, 5)]   // ceil(10/s × 0.2 s × 1.5) + 2
    [InlineData(2000, 602)] // ceil(2000/s × 0.2 s × 1.5) + 2: above the bound before the rate was known
    [InlineData(10000, 1024)] // more than Novu:RateLimits:MaxInFlight allows
    public async Task Should_bound_calls_in_flight_by_littles_law(double perSecond, int bound)
    {
        using var pacer = Pacer();
        var unknown = pacer.Snapshot().ConcurrencyBound;

        using (var lease = await pacer.AcquireAsync(1, CancellationToken.None))
        {
            _clock.Advance(TimeSpan.FromMilliseconds(200)); // Novu takes 200 ms to answer
            lease.Complete(Answer(remaining: 100, perSecond));
        }

        Assert.Equal(1, unknown); // no answer yet: one call reads the bucket first
        Assert.Equal(bound, pacer.Snapshot().ConcurrencyBound);
    }

    [Fact]
    public async Task Should_let_one_call_read_the_bucket_then_bound_a_novu_without_headers_by_the_unknown_rate()
    {
        using var pacer = Pacer();
        using var first = await pacer.AcquireAsync(1, CancellationToken.None);
        var second = pacer.AcquireAsync(1, CancellationToken.None).AsTask();

        Assert.False(second.IsCompleted, "a second call went out before Novu answered the first");
        first.Complete(new NovuRateLimitReading(HttpStatusCode.Created, null, null, null, null, null, null, null)); // self-hosted: no headers
        using var secondLease = await second;
        Assert.Equal(Math.Min(CategoryPacer.UnknownRateBound, 1024), pacer.Snapshot().ConcurrencyBound);
    }
}
