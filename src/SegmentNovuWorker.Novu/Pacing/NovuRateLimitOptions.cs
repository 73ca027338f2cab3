using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// <c>Novu:RateLimits</c>: optional ceilings for plans whose limits are known, and how many calls may wait on Novu at
/// once. Without ceilings the pacer learns each bucket from Novu's <c>RateLimit-*</c> headers.
/// </summary>
public sealed class NovuRateLimitOptions : IValidatableObject
{
    public const string Section = "Novu:RateLimits";

    /// <summary><c>Novu:RateLimits:Trigger</c>: at most this many trigger calls a second from this worker (free plan 60, pro 240, team 600).</summary>
    public double? Trigger { get; set; }

    /// <summary><c>Novu:RateLimits:Configuration</c>: subscriber and topic calls a second (free 20, pro 80, team 200).</summary>
    public double? Configuration { get; set; }

    /// <summary><c>Novu:RateLimits:Global</c>: every other call, a second (free 30, pro 120, team 300).</summary>
    public double? Global { get; set; }

    /// <summary>
    /// <c>Novu:RateLimits:MaxInFlight</c>: the most calls of one category waiting on Novu at once, whatever the rate and
    /// latency ask for; it bounds the memory of requests and connections. Default 1024: Novu's enterprise trigger rate
    /// (6,000/s) at 100 ms needs about 900. 128 held a fast stand-in at 30 ms to 0.65 of its 0 ms rate on this machine.
    /// </summary>
    public int MaxInFlight { get; set; } = 1024;

    public double? CeilingOf(NovuRateCategory category) => category switch
    {
        NovuRateCategory.Trigger => Trigger,
        NovuRateCategory.Configuration => Configuration,
        _ => Global,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(Trigger), Trigger), (nameof(Configuration), Configuration), (nameof(Global), Global) })
        {
            if (value is { } ceiling && !(ceiling > 0 && ceiling <= 1_000_000))
                yield return new ValidationResult($"{Section}:{name} must be a number of calls a second above 0 (got {ceiling}); leave it out to learn the limit from Novu.", [name]);
        }
        if (MaxInFlight is < 1 or > 10_000)
            yield return new ValidationResult($"{Section}:MaxInFlight must be between 1 and 10000 (got {MaxInFlight}).", [nameof(MaxInFlight)]);
    }
}
