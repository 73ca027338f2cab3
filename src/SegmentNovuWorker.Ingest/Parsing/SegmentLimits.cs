namespace SegmentNovuWorker.Ingest.Parsing;

/// <summary>Segment's own tracking-API limits, held for every source so a sender that fits Segment fits here.</summary>
public static class SegmentLimits
{
    /// <summary>One event, as its JSON bytes.</summary>
    public const int MaxEventBytes = 32 * 1024;

    /// <summary>One request (a <c>/v1/batch</c>, or a webhook batch).</summary>
    public const int MaxRequestBytes = 500 * 1024;

    /// <summary>Events in one batch.</summary>
    public const int MaxBatchEvents = 2500;
}
