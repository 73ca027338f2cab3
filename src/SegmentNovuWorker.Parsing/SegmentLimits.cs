namespace SegmentNovuWorker.Parsing;

/// <summary>What one request may carry: bytes of one event, bytes of the whole request, events in a batch.</summary>
public sealed record RequestLimits(int MaxEventBytes, int MaxRequestBytes, int MaxBatchEvents);

/// <summary>Segment's own tracking-API limits (<c>/v1/*</c>), so a sender that fits Segment fits here; and the nesting limit.</summary>
public static class SegmentLimits
{
    /// <summary>One event, as its JSON bytes.</summary>
    public const int MaxEventBytes = 32 * 1024;

    /// <summary>One <c>/v1/batch</c> request.</summary>
    public const int MaxRequestBytes = 500 * 1024;

    /// <summary>Events in one <c>/v1/batch</c>.</summary>
    public const int MaxBatchEvents = 2500;

    /// <summary>The tracking API's limits as one value.</summary>
    public static readonly RequestLimits TrackingApi = new(MaxEventBytes, MaxRequestBytes, MaxBatchEvents);

    /// <summary>
    /// <c>/webhooks/segment</c>'s default limits (the ingest's <c>Ingest:Webhook</c> section can change them): 4000 events, Segment's
    /// largest Actions batch, of up to 4 KB each in one request, and Segment's own limit for one event.
    /// </summary>
    public static readonly RequestLimits Webhook = new(MaxEventBytes, 16 * 1024 * 1024, 4000);

    /// <summary>Characters of an event's <c>messageId</c>: Segment's own limit (its docs: "less than 100 characters").</summary>
    public const int MaxMessageIdLength = 100;

    /// <summary>
    /// Characters of an id (<c>userId</c>, <c>anonymousId</c>, <c>groupId</c>, <c>previousId</c>) or a name (<c>event</c>,
    /// <c>name</c>). Segment states none; these travel in message headers, logs, traces and Novu ids, so each is bounded
    /// well under the broker's frame and far above any real id or event name.
    /// </summary>
    public const int MaxFieldLength = 256;

    /// <summary>
    /// JSON nesting a request may have. MassTransit's serializer stops at 64 levels, and the message envelope (and the
    /// <c>Fault&lt;T&gt;</c> envelope of a dead letter) nest an event a few levels deeper than the request did: the
    /// headroom keeps every accepted event publishable, rather than answering 503 to it forever.
    /// </summary>
    public const int MaxDepth = 56;
}
