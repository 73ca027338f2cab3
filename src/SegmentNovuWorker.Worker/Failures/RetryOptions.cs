using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>The <c>Retry</c> configuration section: how hard the worker tries before a message goes to <c>_error</c>.</summary>
public sealed class RetryOptions : IValidatableObject
{
    public const string Section = "Retry";

    /// <summary>
    /// <c>Retry:Immediate</c>: waits between in-process retries of one delivery, for blips (a dropped connection, a
    /// single 502). Default 200 ms, 1 s, 3 s.
    /// </summary>
    public TimeSpan[]? Immediate { get; set; }

    /// <summary>
    /// <c>Retry:Redelivery</c>: delays of the delayed redeliveries that follow, each held by the broker in a wait queue.
    /// Default 1, 4, 15, 40 min, 1 h, 2 h: 4 h in all, like Segment's own retry window.
    /// </summary>
    public TimeSpan[]? Redelivery { get; set; }

    // Defaults live apart from the bound properties: the configuration binder appends to an array that already has
    // items, so a default in the property would be concatenated with what the operator configured.
    static readonly TimeSpan[] DefaultImmediate = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    static readonly TimeSpan[] DefaultRedelivery =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(40), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
    ];

    /// <summary>The in-process retry delays in force.</summary>
    public TimeSpan[] ImmediateDelays => Immediate is { Length: > 0 } configured ? configured : DefaultImmediate;

    /// <summary>The redelivery delays in force.</summary>
    public TimeSpan[] RedeliveryDelays => Redelivery is { Length: > 0 } configured ? configured : DefaultRedelivery;

    /// <summary>
    /// <c>Retry:MaxInProcessRetryAfter</c>: a Novu <c>Retry-After</c> up to this long is waited out in process; a longer
    /// one skips the remaining in-process retries and goes to delayed redelivery, so no consumer slot sits idle.
    /// </summary>
    public TimeSpan MaxInProcessRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Retry:KillSwitch</c>: the Novu breaker; while it is open, deliveries wait at the gate instead of failing.</summary>
    public OutageOptions KillSwitch { get; set; } = new();

    /// <summary>How long a message can spend in redelivery before it is dead-lettered.</summary>
    public TimeSpan TotalRedeliveryWindow => RedeliveryDelays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ImmediateDelays.Any(d => d < TimeSpan.Zero || d > TimeSpan.FromMinutes(1)))
            yield return new ValidationResult("Retry:Immediate delays must be between 0 and 1 minute each.", [nameof(Immediate)]);
        if (RedeliveryDelays.Any(d => d < TimeSpan.FromSeconds(1) || d > TimeSpan.FromDays(1)))
            yield return new ValidationResult("Retry:Redelivery delays must be between 1 second and 1 day each (whole seconds).", [nameof(Redelivery)]);
        if (MaxInProcessRetryAfter < TimeSpan.Zero)
            yield return new ValidationResult("Retry:MaxInProcessRetryAfter must not be negative.", [nameof(MaxInProcessRetryAfter)]);
        // The nested section is not reached by data annotations: its bounds are Polly's circuit breaker's.
        if (KillSwitch.ActivationThreshold is < 2 or > 10_000)
            yield return new ValidationResult("Retry:KillSwitch:ActivationThreshold must be between 2 and 10000.", [nameof(KillSwitch)]);
        if (KillSwitch.TripThreshold is < 1 or > 100)
            yield return new ValidationResult("Retry:KillSwitch:TripThreshold must be between 1 and 100 (percent).", [nameof(KillSwitch)]);
        if (KillSwitch.TrackingPeriod < TimeSpan.FromMilliseconds(500) || KillSwitch.TrackingPeriod > TimeSpan.FromDays(1))
            yield return new ValidationResult("Retry:KillSwitch:TrackingPeriod must be between 0.5 s and 1 day.", [nameof(KillSwitch)]);
        if (KillSwitch.RestartTimeout < TimeSpan.FromMilliseconds(500) || KillSwitch.RestartTimeout > TimeSpan.FromDays(1))
            yield return new ValidationResult("Retry:KillSwitch:RestartTimeout must be between 0.5 s and 1 day.", [nameof(KillSwitch)]);
    }
}

/// <summary>
/// <c>Retry:KillSwitch</c>: when at least <see cref="TripThreshold"/> percent of at least <see cref="ActivationThreshold"/>
/// attempts in <see cref="TrackingPeriod"/> fail as an outage does (5xx, timeouts, connection failures), Polly's breaker in
/// <see cref="NovuAvailability"/> opens: deliveries wait at the gate, unacknowledged, instead of burning their retries, and
/// one of them probes Novu every <see cref="RestartTimeout"/>. <see cref="Enabled"/> false: an outage never opens it.
/// </summary>
public sealed class OutageOptions
{
    public bool Enabled { get; set; } = true;

    public int ActivationThreshold { get; set; } = 20;

    public int TripThreshold { get; set; } = 50;

    public TimeSpan TrackingPeriod { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
