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

    /// <summary>
    /// <c>Ingest:AllowUnauthenticated</c>: lets a front door without credentials (no shared secret, no write key) take
    /// anyone's events, for a local trial. Off, the ingest does not start without them. Logged loudly at start.
    /// </summary>
    public bool AllowUnauthenticated { get; set; }

    /// <summary>
    /// <c>Ingest:KnownProxies</c>: addresses of reverse proxies whose <c>X-Forwarded-For</c> is believed. Empty (the
    /// default), the client address is the connection's, whatever a header says.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>
    /// <c>Ingest:ManagementUrl</c>: a second address (e.g. <c>http://+:9464</c>, its port given) where the ingest serves
    /// <c>/metrics</c> and <c>/health/ready</c>, which its public address then no longer answers (<c>404</c>); the public
    /// address keeps <c>/health/live</c>. Unset (the default), everything is served on the public address.
    /// </summary>
    public string? ManagementUrl { get; set; }
}
