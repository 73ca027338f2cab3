using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>Novu refused the account itself (401, 402, 403): every event would fail alike until someone fixes the key or plan.</summary>
public sealed record AccountRefusal(int? HttpStatus, string Reason, DateTimeOffset Since);

/// <summary>
/// The one owner of "is Novu usable now", for the whole worker (Novu is one service for every partition). Every Novu
/// attempt runs through Polly's circuit breaker here: when at least <see cref="OutageOptions.TripThreshold"/> percent of
/// at least <see cref="OutageOptions.ActivationThreshold"/> attempts in <see cref="OutageOptions.TrackingPeriod"/> fail as
/// an outage does (5xx, timeouts, connection failures; never a 429, which is pacing), the circuit opens; a refused account
/// isolates it. While it is not closed, deliveries wait at the gate (<see cref="NovuGateFilter{TConsumer,TMessage}"/>)
/// unacknowledged, without an attempt or a retry counted, and nothing stops an endpoint. Every
/// <see cref="OutageOptions.RestartTimeout"/> one waiting delivery goes through as the probe (Polly's half-open); for a
/// refused account the probe is <see cref="NovuClient.ProbeAccountAsync"/> every <see cref="WorkerOptions.AccountProbeInterval"/>.
/// </summary>
/// <remarks>
/// Polly's breaker decides (failure ratio over a window, break, half-open trial, manual isolation) and reports each
/// change. What it lacks is written here: a caller of an open circuit gets an exception at once, where a delivery must
/// wait (and wake the moment Novu is back, not on a timer of its own); and in half-open it lets the first caller through
/// and throws at every other, so here one waiter is chosen as the probe (a ticket) and the rest stay asleep.
/// </remarks>
public sealed class NovuAvailability : BackgroundService, IHealthCheck
{
    /// <summary>The name of the health check in <c>/health/ready</c>.</summary>
    public const string HealthCheckName = "novu";

    readonly IServiceScopeFactory _scopes;
    readonly IOptions<WorkerOptions> _worker;
    readonly TimeProvider _clock;
    readonly ILogger<NovuAvailability> _logger;
    readonly OutageOptions _outage;
    readonly ResiliencePipeline _breaker;
    readonly CircuitBreakerManualControl _manual = new();
    readonly Lock _gate = new();
    TaskCompletionSource _changed = NewSignal();
    AccountRefusal? _refused;
    DateTimeOffset? _downSince;
    /// <summary>When the circuit last opened, or the last probe ticket was handed out: the next is due a break later.</summary>
    DateTimeOffset _probeBase;
    // Mirrors the breaker's state, as its callbacks report it: read under our own lock, never under Polly's.
    volatile bool _usable = true;
    bool _probeTicket;
    int _waiting;
    long _parked;

    public NovuAvailability(IServiceScopeFactory scopes, IOptions<RetryOptions> retry, IOptions<WorkerOptions> worker, TimeProvider clock,
        ILogger<NovuAvailability> logger, SegmentNovuMetrics? metrics = null)
    {
        metrics?.ObserveNovuGate(() => (IsUsable ? null : Refused is null ? "novu-outage" : "novu-account-refused", Waiting));
        (_scopes, _worker, _clock, _logger, _outage) = (scopes, worker, clock, logger, retry.Value.KillSwitch);
        _breaker = new ResiliencePipelineBuilder { TimeProvider = clock }.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = _outage.TripThreshold / 100.0,
            MinimumThroughput = _outage.ActivationThreshold,
            SamplingDuration = _outage.TrackingPeriod,
            BreakDuration = _outage.RestartTimeout,
            // Switched off, the breaker never opens by itself; a refused account still isolates it.
            ShouldHandle = args => ValueTask.FromResult(_outage.Enabled && args.Outcome.Exception is { } e && IsOutage(e)),
            ManualControl = _manual,
            OnOpened = args =>
            {
                Opened(args.IsManual);
                return default;
            },
            OnHalfOpened = _ =>
            {
                _logger.LogInformation("Probing Novu with one event; {Waiting} deliveries wait at the gate", Volatile.Read(ref _waiting));
                return default;
            },
            OnClosed = _ =>
            {
                Closed();
                return default;
            },
        }).Build();
    }

    /// <summary>The account refusal in force, or null.</summary>
    public AccountRefusal? Refused => Volatile.Read(ref _refused);

    /// <summary>True while Novu can be called (the circuit is closed).</summary>
    public bool IsUsable => _usable;

    /// <summary>Deliveries waiting at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Deliveries parked for redelivery because Novu stayed unusable past <see cref="WorkerOptions.NovuPauseLimit"/>.</summary>
    public long Parked => Interlocked.Read(ref _parked);

    /// <summary>
    /// Waits until this delivery may call Novu: at once while the circuit is closed; while it is not, until it closes or this
    /// delivery is chosen as the probe. False when <paramref name="maxWait"/> passed first (park it).
    /// </summary>
    public async ValueTask<bool> WaitUsableAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (IsUsable)
            return true;
        Interlocked.Increment(ref _waiting);
        try
        {
            var until = _clock.GetUtcNow() + maxWait;
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task;
                    if (IsUsable)
                        return true;
                    if (_probeTicket && _refused is null)
                    {
                        _probeTicket = false;
                        return true;
                    }
                }
                var left = until - _clock.GetUtcNow();
                if (left <= TimeSpan.Zero)
                    return false;
                try
                {
                    await changed.WaitAsync(left, _clock, cancellationToken);
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Runs one Novu attempt through the breaker; throws <see cref="BrokenCircuitException"/> when it is open.</summary>
    public ValueTask RunAsync<TState>(Func<TState, Task> attempt, TState state, CancellationToken cancellationToken) =>
        _breaker.ExecuteAsync(static async (s, _) => await s.attempt(s.state), (attempt, state), cancellationToken);

    /// <summary>
    /// Does this failure mean "wait for Novu" rather than "this event failed"? A refused account (the pause starts now), and
    /// an outage failure while the circuit is already open (its attempt was made as Novu went down, or was the probe).
    /// </summary>
    public bool Absorbs(Exception exception)
    {
        if (Find<NovuAccountException>(exception) is { } refused)
        {
            Refuse(refused);
            return true;
        }
        if (exception is BrokenCircuitException)
        {
            // The breaker opened and its own report (a callback Polly runs on a task of its own, later) has not reached
            // us yet: close the gate now. Otherwise every delivery would find it open, be refused at once, and try again
            // at once: a loop that never yields, which starved the very thread that would run that report (seen: a
            // test process at 150 % CPU for minutes).
            Opened(manual: false);
            return true;
        }
        return IsOutage(exception) && !IsUsable;
    }

    /// <summary>
    /// An attempt went through the breaker: Novu is usable. Normally the breaker's own report says so; this covers the one
    /// case it does not, a gate closed here on a refusal just as the breaker closed (its report then came first, and a
    /// success in a closed breaker reports nothing).
    /// </summary>
    public void Succeeded()
    {
        if (!_usable && Refused is null)
            Closed();
    }

    /// <summary>A delivery was parked for redelivery instead of waiting longer.</summary>
    public void CountParked() => Interlocked.Increment(ref _parked);

    /// <summary>Novu refused the account: isolate the circuit (once) until the account probe passes.</summary>
    void Refuse(NovuAccountException failure)
    {
        var refusal = new AccountRefusal((int?)failure.StatusCode, failure.NovuMessage ?? failure.Message, _clock.GetUtcNow());
        lock (_gate)
        {
            // Under the lock with the gate's closing: a delivery whose refused attempt loses this race finds the gate closed.
            if (_refused is not null)
                return;
            Volatile.Write(ref _refused, refusal);
            // Closed here at once: the breaker's own report of the isolation comes a moment later, and no attempt may slip by meanwhile.
            Opened(manual: true);
        }
        _logger.LogError("Novu refused the account ({HttpStatus}: {Reason}). Every partition pauses at the gate, no event is dead-lettered " +
            "for it; it resumes by itself once Novu accepts the account again (fix Novu:ApiKey, the environment or the plan)",
            refusal.HttpStatus, refusal.Reason);
        _ = _manual.IsolateAsync(CancellationToken.None);
    }

    /// <summary>The outage kinds of failure: an answer that says Novu is not working (5xx), or no answer at all.</summary>
    static bool IsOutage(Exception exception) =>
        Find<NovuRetryableException>(exception) is { RateLimited: false, KeyInFlight: false };

    static T? Find<T>(Exception? exception)
        where T : Exception => exception switch
        {
            null => null,
            T found => found,
            _ => Find<T>(exception.InnerException),
        };

    void Opened(bool manual)
    {
        lock (_gate)
        {
            _usable = false;
            _probeBase = _clock.GetUtcNow();
            _probeTicket = false;
            if (_downSince is null)
            {
                _downSince = _probeBase;
                if (!manual)
                {
                    _logger.LogWarning("Novu looks down: {Threshold} % or more of the last attempts failed with 5xx, timeouts or connection " +
                        "errors. Deliveries wait at the gate, unacknowledged; one event probes Novu every {RestartTimeout}",
                        _outage.TripThreshold, _outage.RestartTimeout);
                }
            }
            Pulse();
        }
    }

    void Closed()
    {
        lock (_gate)
        {
            if (_downSince is { } since)
            {
                _logger.LogWarning("Novu is usable again after {Seconds:0} s; {Waiting} waiting deliveries go on ({Parked} parked for redelivery so far)",
                    (_clock.GetUtcNow() - since).TotalSeconds, Volatile.Read(ref _waiting), Parked);
            }
            _usable = true;
            _downSince = null;
            _probeTicket = false;
            Pulse();
        }
    }

    void Pulse()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// While the circuit is not closed: probes the account every <see cref="WorkerOptions.AccountProbeInterval"/>, or hands a
    /// waiting delivery the probe ticket a break after the circuit opened (or after the last ticket, if that one brought no
    /// outcome: its delivery was cancelled). Every wait is to a moment fixed in advance, so a late wake-up never shifts it.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? lastAccountProbe = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task changed;
                DateTimeOffset due;
                var refusal = Refused;
                lock (_gate)
                {
                    changed = _changed.Task;
                    due = refusal is not null ? (lastAccountProbe ?? refusal.Since) + _worker.Value.AccountProbeInterval : _probeBase + _outage.RestartTimeout;
                }
                if (IsUsable)
                {
                    lastAccountProbe = null;
                    await changed.WaitAsync(stoppingToken);
                    continue;
                }
                if (due > _clock.GetUtcNow())
                {
                    try
                    {
                        await changed.WaitAsync(due - _clock.GetUtcNow(), _clock, stoppingToken);
                        continue; // opened again, closed, or refused: look again
                    }
                    catch (TimeoutException)
                    {
                    }
                }
                if (refusal is not null)
                {
                    lastAccountProbe = _clock.GetUtcNow();
                    if (await AccountWorksAsync(stoppingToken))
                    {
                        _logger.LogWarning("Novu accepts the account again after a pause since {Since:O}", refusal.Since);
                        lock (_gate)
                            Volatile.Write(ref _refused, null);
                        lastAccountProbe = null;
                        await _manual.CloseAsync(stoppingToken);
                    }
                    continue;
                }
                lock (_gate)
                {
                    if (!IsUsable && _refused is null)
                    {
                        _probeBase = _clock.GetUtcNow();
                        if (!_probeTicket)
                        {
                            _probeTicket = true;
                            _logger.LogInformation("Novu still down since {Since:O}: the next delivery probes it; {Waiting} wait, {Parked} parked so far",
                                _downSince, Volatile.Read(ref _waiting), Parked);
                            Pulse();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task<bool> AccountWorksAsync(CancellationToken cancellationToken)
    {
        using var scope = _scopes.CreateScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<NovuClient>().ProbeAccountAsync(cancellationToken);
            return true;
        }
        catch (NovuException exception)
        {
            _logger.LogDebug("The account probe still fails: {Reason}", exception.Message);
            return false;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["waiting"] = Waiting, ["parked"] = Parked };
        if (Refused is { } refusal)
        {
            data["state"] = "novu-account-refused";
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Paused since {refusal.Since:O}: Novu refused the account ({refusal.HttpStatus}: {refusal.Reason}); {Waiting} deliveries wait", data: data));
        }
        DateTimeOffset? since;
        lock (_gate)
            since = _downSince;
        if (!IsUsable)
        {
            data["state"] = "novu-outage";
            return Task.FromResult(HealthCheckResult.Degraded($"Novu looks down since {since:O}; {Waiting} deliveries wait at the gate", data: data));
        }
        data["state"] = "usable";
        return Task.FromResult(HealthCheckResult.Healthy("Novu is usable", data));
    }
}
