using System.ComponentModel.DataAnnotations;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest;

/// <summary>
/// The <c>Ingest:Webhook</c> section: limits of <c>/webhooks/segment</c>. Segment's Webhooks (Actions) destination batches
/// up to 4000 events (1000 by default) and documents no byte limit, so the defaults take 4000 events of Segment's usual
/// size (an analytics.js event with its context is about 1 KB) with room to spare. The tracking API (<c>/v1/*</c>) keeps
/// Segment's own limits (<see cref="SegmentLimits"/>).
/// </summary>
public sealed class WebhookLimitOptions
{
    public const string Section = "Ingest:Webhook";

    /// <summary><c>Ingest:Webhook:MaxRequestBytes</c>: one request. Default 16 MiB: 4000 events of up to 4 KB each.</summary>
    [Range(1024, 28 * 1024 * 1024)] // Kestrel refuses bodies over 30 MB before the endpoint sees them
    public int MaxRequestBytes { get; set; } = SegmentLimits.Webhook.MaxRequestBytes;

    /// <summary><c>Ingest:Webhook:MaxBatchEvents</c>: events in one batch. Default 4000, Segment's largest Actions batch.</summary>
    [Range(1, 100_000)]
    public int MaxBatchEvents { get; set; } = SegmentLimits.Webhook.MaxBatchEvents;

    /// <summary><c>Ingest:Webhook:MaxEventBytes</c>: one event. Default 32 KB, Segment's own limit for an event.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = SegmentLimits.Webhook.MaxEventBytes;

    /// <summary>
    /// <c>Ingest:Webhook:PublishTimeout</c>: the wait for the broker's confirms of a webhook batch (a single event, which may
    /// come from the classic destination and its ~5 s, and the tracking API keep <c>Ingest:PublishTimeout</c>). A request's events of one partition are published one after another, each after the
    /// previous one's confirm, so 4000 events take seconds, not milliseconds; Segment's Actions destination waits about
    /// 10 s. Default 8 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(8);

    public RequestLimits ToLimits() => new(MaxEventBytes, MaxRequestBytes, MaxBatchEvents);
}
