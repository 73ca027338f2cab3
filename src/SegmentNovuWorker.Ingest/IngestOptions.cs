using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Ingest;

/// <summary>The <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// <c>Ingest:PublishTimeout</c>: how long to wait for the broker to confirm a request's messages before answering
    /// 503. Segment gives a webhook about 5 s, so the default leaves a second for the rest.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary><c>Ingest:RetryAfterSeconds</c>: the <c>Retry-After</c> sent with a 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;
}
