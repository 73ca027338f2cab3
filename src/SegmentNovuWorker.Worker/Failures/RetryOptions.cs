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

    /// <summary><c>Retry:KillSwitch</c>: stop consuming while Novu fails most calls.</summary>
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
    }
}

/// <summary>
/// <c>Retry:KillSwitch</c>: when at least <see cref="TripThreshold"/> percent of at least <see cref="ActivationThreshold"/>
/// attempts in <see cref="TrackingPeriod"/> fail with a retryable Novu error, the endpoints stop consuming for
/// <see cref="RestartTimeout"/> so messages wait in their queues instead of burning their redeliveries.
/// </summary>
public sealed class OutageOptions
{
    public bool Enabled { get; set; } = true;

    [Range(1, 10_000)]
    public int ActivationThreshold { get; set; } = 20;

    [Range(1, 100)]
    public int TripThreshold { get; set; } = 50;

    public TimeSpan TrackingPeriod { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
