using System.Threading.RateLimiting;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// Paces the calls of one Novu category to the bucket Novu keeps for the environment, which every worker shares.
/// A call waits, before it is sent, until (1) the configured ceiling allows it, (2) fewer calls than the concurrency
/// bound are in flight, and (3) the shared bucket, as this worker mirrors it, holds the call's cost plus a reserve.
/// <para>
/// The mirror plays Novu's own token bucket (apps/api evaluate-token-bucket-rate-limit): the stored tokens go down by
/// every call's cost and are refilled, at the rate, only when a call finds fewer than its cost. Every answer's
/// <c>RateLimit-Remaining</c> is the shared bucket's stored tokens after that call, so what other workers spent shows
/// up as a lower value than this worker's mirror (taken at once) and a refill some other call set off as a higher one
/// (taken, with the refill clock restarted). The reserve covers what others spend while an answer is on its way.
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

    // The mirror of Novu's bucket, in seconds since _start; null until the first answer that carried the headers.
    int? _limit;
    double? _serverRate;
    double _capacity;
    double? _stored;
    double _lastRefill;
    double _holdUntil;
    long _sentTotal;

    int _inFlight;
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
        : _maxInFlight;

    /// <summary>Tokens kept back for what other workers spend before their calls' answers reach this one.</summary>
    double Reserve => _serverRate is { } rate
        ? Math.Min(_capacity / 4, Math.Max(_capacity * 0.05, Math.Ceiling(rate * (_latencyP90 ?? AssumedLatency.TotalSeconds) * 2) + 2))
        : 0;

    /// <summary>Waits (before the call is sent) until this call may go; only <paramref name="cancellationToken"/> ends the wait early.</summary>
    public async ValueTask<Lease> AcquireAsync(int cost, CancellationToken cancellationToken)
    {
        var asked = Now;
        if (_ceilingLimiter is not null)
        {
            using var ceiling = await _ceilingLimiter.AcquireAsync(Math.Min(cost, NovuRateCategories.BulkCost), cancellationToken);
        }

        var waiter = new Waiter(cost, asked);
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
        return new Lease(this, waiter);
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
            return new NovuPaceSnapshot(Category, _limit, TargetRate, _stored is null ? null : Level(Now), _inFlight, ConcurrencyBound,
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
            if (wait > 0)
            {
                Arm(now, now + wait);
                return;
            }
            _waiting.RemoveFirst();
            var waiter = first.Value;
            Spend(waiter.Cost, now);
            _inFlight++;
            _sentTotal += waiter.Cost;
            waiter.SentTotal = _sentTotal;
            waiter.SentAt = now;
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
        if (_stored is null || _serverRate is not { } rate)
            return hold;
        var need = Math.Min(_capacity, cost + Reserve);
        var level = Level(now);
        return Math.Max(hold, level >= need ? 0 : (need - level) / rate);
    }

    /// <summary>The tokens the shared bucket holds now: the stored ones and the refill Novu would add if asked.</summary>
    double Level(double now) =>
        _stored is { } stored && _serverRate is { } rate ? Math.Min(Math.Max(_capacity, stored), stored + Math.Max(0, now - _lastRefill) * rate) : 0;

    /// <summary>Spends the call's cost in the mirror as Novu does: refill (in whole tokens) only when too few are stored.</summary>
    void Spend(int cost, double now)
    {
        if (_stored is not { } stored || _serverRate is not { } rate)
            return;
        if (stored < cost)
        {
            var added = Math.Floor(Math.Max(0, now - _lastRefill) * rate);
            stored = Math.Min(_capacity, stored + added);
            _lastRefill += added / rate;
        }
        _stored = stored - cost;
    }

    void Complete(Waiter waiter, NovuRateLimitReading? reading)
    {
        lock (_gate)
        {
            _inFlight--;
            var now = Now;
            if (reading is not null)
            {
                RecordLatency(now - waiter.SentAt);
                Learn(waiter, reading, now);
            }
            Pump();
        }
    }

    /// <summary>Takes what the answer says about the shared bucket into the mirror.</summary>
    void Learn(Waiter waiter, NovuRateLimitReading reading, double now)
    {
        if (reading.RatePerSecond is { } rate)
        {
            _serverRate = rate;
            _limit = reading.Limit;
            _capacity = reading.Capacity ?? NovuRateCategories.BucketSize(rate);
        }
        if (reading.IsTooManyRequests)
        {
            // Novu keeps nothing for a refused call: the bucket held less than its cost. Refill counts from now.
            _stored = Math.Min(_stored ?? 0, Math.Min(0, (reading.Remaining ?? 0) - (_sentTotal - waiter.SentTotal)));
            _lastRefill = now;
            return;
        }
        if (reading.Remaining is not { } remaining || _serverRate is null)
            return;

        // What the bucket holds now, had Novu seen this worker's later calls too.
        var candidate = remaining - (double)(_sentTotal - waiter.SentTotal);
        if (_stored is not { } stored)
        {
            _stored = candidate;
            _lastRefill = now;
        }
        else if (candidate < stored)
            _stored = candidate; // spent by other workers (or answered out of order): trust the lower
        else if (candidate > stored + Math.Max(2, _inFlight + 1))
        {
            // Refilled by a call this mirror did not set off: the refill clock restarts at about now.
            _stored = candidate;
            _lastRefill = now;
        }
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

    internal sealed class Waiter(int cost, double askedAt)
    {
        public int Cost { get; } = cost;
        public double AskedAt { get; } = askedAt;
        public long SentTotal { get; set; }
        public double SentAt { get; set; }
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
