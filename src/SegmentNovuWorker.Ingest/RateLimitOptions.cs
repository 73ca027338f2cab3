using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Ingest;

/// <summary>
/// The <c>Ingest:RateLimit</c> section, applied after authentication: requests each verified source (the signed
/// webhook, each write key) may make per window, and the smaller number that requests failing authentication may make
/// per client address. Over it the answer is 429 with <c>Retry-After</c>, which Segment and its SDKs honour.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Ingest:RateLimit";

    /// <summary><c>Ingest:RateLimit:PermitLimit</c>: requests per window and verified source. Segment's own API takes about 500/s per source.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 500;

    /// <summary>
    /// <c>Ingest:RateLimit:UnauthenticatedPermitLimit</c>: requests per window and client address that carry no valid
    /// signature or write key (each answered 401 until then, 429 after).
    /// </summary>
    [Range(1, 1_000_000)]
    public int UnauthenticatedPermitLimit { get; set; } = 20;

    /// <summary><c>Ingest:RateLimit:Window</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
