namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>How one Novu category is paced right now: for health, metrics and the benchmark.</summary>
/// <param name="Limit">Novu's <c>RateLimit-Limit</c> (rate × 5 s window), null until Novu has said.</param>
/// <param name="RatePerSecond">The rate this worker paces to: Novu's refill rate, or the configured ceiling if lower; null while neither is known.</param>
/// <param name="EstimatedRemaining">Tokens this worker believes the shared bucket holds now, null until Novu has said.</param>
/// <param name="InFlight">Calls sent and not yet answered.</param>
/// <param name="ConcurrencyBound">How many may be in flight at once now (from the rate and the observed latency).</param>
/// <param name="Waiting">Calls waiting for their turn (a bulk upsert waiting for the budget to pay it counts as one, its members still being gathered).</param>
/// <param name="PacedWaits">Calls that waited before being sent (for a token, a slot, or out a 429).</param>
/// <param name="PacedWaitSeconds">The time they waited, in all.</param>
/// <param name="TooManyRequests">429s Novu still answered (each waited out and sent again).</param>
/// <param name="LatencyP90">The 90th percentile of recent answers' latency, null before the first.</param>
public sealed record NovuPaceSnapshot(
    NovuRateCategory Category,
    int? Limit,
    double? RatePerSecond,
    double? EstimatedRemaining,
    int InFlight,
    int ConcurrencyBound,
    int Waiting,
    long PacedWaits,
    double PacedWaitSeconds,
    long TooManyRequests,
    TimeSpan? LatencyP90);
