using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Ingest;

/// <summary>
/// The <c>Ingest:RateLimit</c> section: requests each source may make per window (a fixed window, per write key for
/// <c>/v1/*</c>, per client IP address for the webhook). Over it the answer is 429 with <c>Retry-After</c>, which Segment
/// and its SDKs honour.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Ingest:RateLimit";

    /// <summary><c>Ingest:RateLimit:PermitLimit</c>: requests per window and source. Segment's own API takes about 500/s per source.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 500;

    /// <summary><c>Ingest:RateLimit:Window</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
