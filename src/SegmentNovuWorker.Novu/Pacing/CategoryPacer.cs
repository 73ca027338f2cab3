using System.Threading.RateLimiting;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// Paces the calls of one Novu category to the bucket Novu keeps for the environment, which every worker shares.
/// A call waits, before it is sent, until (1) the configured ceiling allows it, (2) fewer calls than the concurrency
/// bound are in flight, and (3) the shared bucket, as this worker estimates it, holds the call's cost plus a reserve.
/// <para>
/// The estimate is the bucket's level: what Novu would let through now. It refills at the rate, up to the bucket's
/// size, and goes down by this worker's calls when they are sent. Novu's <c>RateLimit-Remaining</c> cannot be taken as
/// the level: Novu adds the refill only when a call finds fewer tokens than its cost (apps/api
/// evaluate-token-bucket-rate-limit, "delay refill until bucket is empty"), so <c>Remaining</c> counts down to 0 and
/// jumps back up at each refill. So the answers are read two ways. A jump up is a refill: there <c>Remaining</c> is the
/// level, and the estimate starts again from it (the base). Between jumps, <c>Remaining</c> goes down by every call of
/// every worker, so the base less this worker's calls less <c>Remaining</c> is what the other workers spent: the
/// estimate goes down by its growth. Answers that come back out of order only move that sum back and forth; they do
/// not add up. The reserve covers what others spend while their effect is on its way to this worker.
/// </para>
/// <para>
/// Hand-written because <see cref="TokenBucketRateLimiter"/> and <see cref="ConcurrencyLimiter"/> fix their rate and
/// permits when built, and can be told neither the level of a bucket someone else also spends nor a bound that moves
/// with the latency. The configured ceiling, a fixed rate, is a <see cref="TokenBucketRateLimiter"/>.
/// </para>
/// </summary>
public sealed class CategoryPacer : IDisposable
{
    /// <summary>Latency assumed for the concurrency bound before any answer came back.</summary>
    static readonly TimeSpan AssumedLatency = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The concurrency bound while no rate is known after Novu's first answer (a Novu that sends no rate-limit headers,
    /// as a self-hosted one), or <c>Novu:RateLimits:MaxInFlight</c> if lower. Before the first answer the bound is 1: the
    /// first call reads the bucket. With 128 sent at once to a bucket not read yet, the free plan's configuration bucket
    /// (110 tokens) answered 18 of them 429 at every start (the benchmark's <c>-- subscribers</c>).
    /// </summary>
    public const int UnknownRateBound = 128;

    /// <summary>How long the category holds off after a 429 that said nothing about when to come back.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    readonly TimeProvider _clock;
    readonly long _start;
    readonly int _maxInFlight;
    readonly double? _ceiling;
    readonly TokenBucketRateLimiter? _ceilingLimiter;
    readonly ITimer _timer;
    readonly Lock _gate = new();
    readonly LinkedList<Waiter> _waiting = new();
    readonly double[] _latencies = new double[128];

    // Novu's bucket as this worker sees it, times in seconds since _start; the level is null until an answer said.
    int? _limit;
    double? _serverRate;
    double _capacity;
    double? _level;
    double _levelAt;
    double _holdUntil;
    long _sentTotal;
    bool _based;
    double _base;       // Remaining at the last refill plus this worker's tokens sent up to that call
    long _baseSent;     // this worker's tokens sent up to that call
    double _others;     // tokens other workers spent since then, as last estimated
    int _baseBound;     // the concurrency bound when that call was sent: how far its place in Novu's order may be off
    double _othersSeenAt = double.NegativeInfinity; // when other clients' spending last showed in an answer

    int _inFlight;
    bool _answered;     // Novu has answered a call of this category (with or without rate-limit headers)
    double _timerDue = double.PositiveInfinity;
    int _latencyCount;
    double? _latencyP90;
    long _pacedWaits;
    double _pacedWaitSeconds;
    long _tooManyRequests;

    public CategoryPacer(NovuRateCategory category, double? ceiling, int maxInFlight, TimeProvider clock)
    {
        Category = category;
        _clock = clock;
        _start = clock.GetTimestamp();
        _maxInFlight = maxInFlight;
        _ceiling = ceiling;
        if (ceiling is { } perSecond)
        {
            // Replenish about every 10 ms (a timer cannot tick much faster); the bucket holds a second's worth, and at
            // least one bulk call.
            var tokensPerPeriod = Math.Max(1, (int)Math.Round(perSecond / 100));
            _ceilingLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(NovuRateCategories.BulkCost, (int)Math.Ceiling(perSecond)),
                TokensPerPeriod = tokensPerPeriod,
                ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / perSecond),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
        _timer = clock.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public NovuRateCategory Category { get; }

    double Now => _clock.GetElapsedTime(_start).TotalSeconds;

    /// <summary>The rate this worker aims at: Novu's refill rate or the ceiling, whichever is lower.</summary>
    double? TargetRate => (_serverRate, _ceiling) switch
    {
        ({ } server, { } ceiling) => Math.Min(server, ceiling),
        ({ } server, null) => server,
        (null, { } ceiling) => ceiling,
        _ => null,
    };

    /// <summary>
    /// Little's law: calls in flight = rate × latency. The 90th percentile latency and half as much again, plus two
    /// for the calls being answered, lets the rate be reached without holding slots the budget cannot use.
    /// </summary>
    int ConcurrencyBound => TargetRate is { } rate
        ? (int)Math.Clamp(Math.Ceiling(rate * (_latencyP90 ?? AssumedLatency.TotalSeconds) * 1.5) + 2, 1, _maxInFlight)
        : _answered ? Math.Min(UnknownRateBound, _maxInFlight) : 1;

    /// <summary>
    /// Tokens kept back for what other clients spend before their calls' answers reach this one: twice the tokens the
    /// rate brings during the p90 latency, and at least 10 % of the bucket while other clients were seen spending it in
    /// the last <see cref="OthersMemory"/>: with 5 % two worker processes on a loaded machine still met 429s at the
    /// bucket's floor (1.5 % of calls in a fresh-clone run). A worker alone on the bucket keeps 2 % (its estimate runs a
    /// few tokens above Novu's; with the latency's share alone it met a 429): the 10 % held back cost a lone worker 0.03 of
    /// a 15 s burst's goodput (110 of 4,100 tokens at 200/s). Either way the reserve costs only part of the bucket's
    /// one-time stock, never the refill rate. Other clients are seen in the answers (spending beyond what calls taken out
    /// of order explain) or in a 429.
    /// </summary>
    double Reserve => _serverRate is { } rate
        ? Math.Min(_capacity / 4, Math.Max(_capacity * (OthersSpending ? 0.10 : 0.02), Math.Ceiling(rate * (_latencyP90 ?? AssumedLatency.TotalSeconds) * 2) + 2))
        : 0;

    /// <summary>How long other clients' spending, once seen, keeps the reserve at 10 % of the bucket: two of Novu's windows.</summary>
    static readonly double OthersMemory = NovuRateCategories.WindowSeconds * 2;

    bool OthersSpending => Now - _othersSeenAt < OthersMemory;

    /// <summary>Waits (before the call is sent) until this call may go; only <paramref name="cancellationToken"/> ends the wait early.</summary>
    public async ValueTask<Lease> AcquireAsync(int cost, CancellationToken cancellationToken)
    {
        var asked = Now;
        if (_ceilingLimiter is not null)
        {
            using var ceiling = await _ceilingLimiter.AcquireAsync(Math.Min(cost, NovuRateCategories.BulkCost), cancellationToken);
        }

        var waiter = new Waiter(cost, asked);
        await WaitInLineAsync(waiter, cancellationToken);
        return new Lease(this, waiter);
    }

    /// <summary>
    /// Completes when a call of <paramref name="cost"/> tokens could be let through now, without spending anything: its
    /// place in the queue came (every call asked before it was let through), a slot is free, the configured ceiling holds
    /// it, and the estimate holds the cost plus the reserve, exactly what <see cref="AcquireAsync"/> waits for. For a
    /// caller that decides what the call carries only once it can be paid (the bulk upserts). It waits in the queue like
    /// a call, woken by the same answers and timer, and is counted among the calls waiting; calls asked after it are let
    /// through once it completes, so the caller's own <see cref="AcquireAsync"/> that follows may still find a few tokens
    /// gone. Only <paramref name="cancellationToken"/> ends the wait early.
    /// </summary>
    public async Task WhenAffordableAsync(int cost, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await WaitInLineAsync(new Waiter(cost, Now, probe: true), cancellationToken);
    }

    /// <summary>Queues <paramref name="waiter"/> and waits until it is let through (or the caller cancels).</summary>
    async ValueTask WaitInLineAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            node = _waiting.AddLast(waiter);
            Pump();
        }
        if (!waiter.Granted.Task.IsCompleted)
        {
            await using var registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
            await waiter.Granted.Task;
        }
    }

    /// <summary>
    /// Whether a call of <paramref name="cost"/> tokens can ever be paid: the bucket's size is known (an answer said it) and
    /// holds at least that many. A bulk call (100) to a smaller bucket would be refused by Novu every time.
    /// </summary>
    public bool CanEverPay(int cost)
    {
        lock (_gate)
            return _serverRate is not null && _capacity >= cost;
    }

    /// <summary>Waits out a 429 (at least its <c>Retry-After</c>), counting it; the category sends nothing before then.</summary>
    public async Task WaitOutTooManyRequestsAsync(TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var wait = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        lock (_gate)
        {
            _tooManyRequests++;
            _pacedWaits++;
            _pacedWaitSeconds += wait.TotalSeconds;
            _holdUntil = Math.Max(_holdUntil, Now + wait.TotalSeconds);
        }
        await Task.Delay(wait, _clock, cancellationToken);
    }

    public NovuPaceSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new NovuPaceSnapshot(Category, _limit, TargetRate, _level is null ? null : Level(Now), _inFlight, ConcurrencyBound,
                _waiting.Count, _pacedWaits, _pacedWaitSeconds, _tooManyRequests,
                _latencyP90 is { } p90 ? TimeSpan.FromSeconds(p90) : null);
        }
    }

    /// <summary>Lets through, in order, every waiting call that may go now; arms the timer for the first that may not yet.</summary>
    void Pump()
    {
        var now = Now;
        while (_waiting.First is { } first)
        {
            if (_inFlight >= ConcurrencyBound)
                return; // an answer frees a slot and pumps again
            var wait = WaitFor(first.Value.Cost, now);
            if (first.Value.Probe)
                wait = Math.Max(wait, CeilingWait(first.Value.Cost));
            if (wait > 0)
            {
                Arm(now, now + wait);
                return;
            }
            _waiting.RemoveFirst();
            var waiter = first.Value;
            if (waiter.Probe)
            {
                waiter.Granted.TrySetResult(); // it could go now: its caller decides what to send, and asks for the turn itself
                continue;
            }
            Spend(waiter.Cost, now);
            _inFlight++;
            _sentTotal += waiter.Cost;
            waiter.SentTotal = _sentTotal;
            waiter.SentAt = now;
            waiter.BoundAtSend = ConcurrencyBound;
            if (now - waiter.AskedAt > 0.001)
            {
                _pacedWaits++;
                _pacedWaitSeconds += now - waiter.AskedAt;
            }
            waiter.Granted.TrySetResult();
        }
    }

    /// <summary>Seconds until the shared bucket holds <paramref name="cost"/> and the reserve; zero while nothing is known of it.</summary>
    double WaitFor(int cost, double now)
    {
        var hold = Math.Max(0, _holdUntil - now);
        if (_level is null || _serverRate is not { } rate)
            return hold;
        var need = Math.Min(_capacity, cost + Reserve);
        var level = Level(now);
        return Math.Max(hold, level >= need ? 0 : (need - level) / rate);
    }

    /// <summary>
    /// Seconds until the configured ceiling holds what <see cref="AcquireAsync"/> would take of it for <paramref name="cost"/>
    /// (a call asks the ceiling before it queues here, so only a probe needs this); zero without a ceiling.
    /// </summary>
    double CeilingWait(int cost)
    {
        if (_ceilingLimiter is null || _ceiling is not { } perSecond)
            return 0;
        var missing = Math.Min(cost, NovuRateCategories.BulkCost) - (_ceilingLimiter.GetStatistics()?.CurrentAvailablePermits ?? 0);
        return missing <= 0 ? 0 : missing / perSecond;
    }

    /// <summary>The bucket's level now: the estimate, refilled at the rate since it was made, up to the bucket's size.</summary>
    double Level(double now) =>
        _level is { } level && _serverRate is { } rate ? Math.Min(Math.Max(_capacity, level), level + Math.Max(0, now - _levelAt) * rate) : 0;

    void Spend(int cost, double now)
    {
        if (_level is null)
            return;
        _level = Level(now) - cost;
        _levelAt = now;
    }
    void Complete(Waiter waiter, NovuRateLimitReading? reading)
    {
        lock (_gate)
        {
            _inFlight--;
            var now = Now;
            if (reading is not null)
            {
                _answered = true;
                RecordLatency(now - waiter.SentAt);
                Learn(waiter, reading, now);
            }
            Pump();
        }
    }

    /// <summary>Takes what the answer says about the shared bucket into the estimate.</summary>
    void Learn(Waiter waiter, NovuRateLimitReading reading, double now)
    {
        if (reading.RatePerSecond is { } rate)
        {
            _serverRate = rate;
            _limit = reading.Limit;
            _capacity = reading.Capacity ?? NovuRateCategories.BucketSize(rate);
        }
        if (_serverRate is null)
            return;
        var sentSince = _sentTotal - waiter.SentTotal;
        if (reading.IsTooManyRequests)
        {
            // The bucket held less than the cost, and Novu spent nothing for the refused call. An estimate that let a call
            // go into a 429 missed someone's spending: keep the shared reserve from now on.
            _othersSeenAt = now;
            _level = Math.Min(Level(now), -(double)sentSince);
            _levelAt = now;
            _base += waiter.Cost;
            return;
        }
        if (reading.Remaining is not { } remaining || waiter.SentTotal < _baseSent)
            return; // nothing said, or a call sent before the refill the estimate starts from

        var candidate = remaining - (double)sentSince; // the stored tokens now, had Novu seen this worker's later calls
        var expected = _base - waiter.SentTotal - _others;
        var noise = Math.Max(2, _inFlight + 1);

        // Calls sent together may reach Novu in another order than this worker sent them (this call and the one the base
        // was read from, each by up to the bound when it was sent), and each swap looks
        // like another client's spending; only well beyond that (twice, measured: a lone worker still saw 8 against 7)
        // counts as someone else.
        var reordered = Math.Max(noise, 2 * (waiter.BoundAtSend + _baseBound) + 2);
        if (!_based || remaining - expected > noise)
        {
            // A refill: Novu's stored tokens are the level (or the first answer: the level at least).
            _based = true;
            _baseBound = waiter.BoundAtSend;
            _base = remaining + waiter.SentTotal;
            _baseSent = waiter.SentTotal;
            _others = 0;
            _level = candidate;
            _levelAt = now;
            return;
        }
        var others = _base - waiter.SentTotal - remaining;
        if (others > reordered)
            _othersSeenAt = now; // more than calls taken out of order can explain: someone else spends this bucket
        _level = Math.Max(Level(now) - (others - _others), candidate); // never below what Novu says it stores
        _levelAt = now;
        _others = others;
    }

    void RecordLatency(double seconds)
    {
        _latencies[_latencyCount++ % _latencies.Length] = Math.Max(0, seconds);
        if (_latencyCount <= 16 || _latencyCount % 8 == 0)
        {
            var recent = _latencies.Take(Math.Min(_latencyCount, _latencies.Length)).Order().ToArray();
            _latencyP90 = recent[(int)Math.Ceiling(recent.Length * 0.9) - 1];
        }
    }

    void Arm(double now, double due)
    {
        if (due >= _timerDue)
            return;
        _timerDue = due;
        _timer.Change(TimeSpan.FromSeconds(Math.Max(0.001, due - now)), Timeout.InfiniteTimeSpan);
    }

    void OnTimer()
    {
        lock (_gate)
        {
            _timerDue = double.PositiveInfinity;
            Pump();
        }
    }

    void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (node.List is null)
                return; // already let through: the caller gets its lease and releases it
            _waiting.Remove(node);
            node.Value.Granted.TrySetCanceled(cancellationToken);
            Pump();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _ceilingLimiter?.Dispose();
    }

    internal sealed class Waiter(int cost, double askedAt, bool probe = false)
    {
        public int Cost { get; } = cost;
        public double AskedAt { get; } = askedAt;

        /// <summary>Asks only when the call could go (<see cref="WhenAffordableAsync"/>): let through, it spends nothing and takes no slot.</summary>
        public bool Probe { get; } = probe;
        public long SentTotal { get; set; }
        public double SentAt { get; set; }

        /// <summary>The concurrency bound when it was sent: how many calls at most Novu may have taken in another order than this worker sent them.</summary>
        public int BoundAtSend { get; set; }
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One call's turn: <see cref="Complete"/> it with Novu's answer; disposing without an answer frees the slot.</summary>
    public sealed class Lease : IDisposable
    {
        readonly CategoryPacer _pacer;
        readonly Waiter _waiter;
        int _done;

        internal Lease(CategoryPacer pacer, Waiter waiter)
        {
            _pacer = pacer;
            _waiter = waiter;
        }

        /// <summary>Novu answered: the slot is free, and the answer's headers teach the pacer.</summary>
        public void Complete(NovuRateLimitReading reading)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                _pacer.Complete(_waiter, reading);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                _pacer.Complete(_waiter, null);
        }
    }
}
