using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Ingest.Publishing;

/// <summary><c>Ingest:RetryMemory</c>: what the ingest remembers of requests it answered 503 (<see cref="ConfirmedEvents"/>). Read once, at start.</summary>
public sealed class RetryMemoryOptions
{
    public const string Section = "Ingest:RetryMemory";

    /// <summary>
    /// <c>Ingest:RetryMemory:Size</c>: the most events remembered at once (about 250 bytes each) as confirmed for a request
    /// answered 503; past it, the least recently used are forgotten and a retry publishes them again. 0 remembers nothing:
    /// every retry publishes its whole request again. Default 50,000 (a dozen 4000-event batches).
    /// </summary>
    [Range(0, 10_000_000, ErrorMessage = "Ingest:RetryMemory:Size must be between {1} and {2} events.")]
    public int Size { get; set; } = 50_000;

    /// <summary>
    /// <c>Ingest:RetryMemory:TimeToLive</c>: how long such an event is remembered. Default 4 h, as long as Segment retries a
    /// delivery.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Ingest:RetryMemory:TimeToLive must be between {1} and {2}.")]
    public TimeSpan TimeToLive { get; set; } = SegmentOptions.SegmentRetryHorizon;
}
