using System.Diagnostics;

namespace SegmentNovuWorker.Messaging.Telemetry;

/// <summary>
/// The service's own spans and the Segment tags on an event's spans, so its trace is found by its messageId: a
/// <c>publish</c> span per event in the ingest (MassTransit's send span is its child), and the tags on the worker's
/// consume spans.
/// </summary>
public static class SegmentTracing
{
    public const string SourceName = "SegmentNovuWorker";
    public const string MessageId = "segment.message_id";
    public const string Type = "segment.type";
    public const string Event = "segment.event";

    static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The span of one event's publish. MassTransit starts its send span only after the publish pipe has run, so its
    /// tags cannot be set from there; a parent of our own carries them instead (and one per event of a batch).
    /// </summary>
    public static Activity? StartPublish(string messageId, string type, string? eventName)
    {
        var activity = Source.StartActivity($"publish {type}", ActivityKind.Internal);
        Tag(activity, messageId, type, eventName);
        return activity;
    }

    /// <summary>Tags <paramref name="activity"/> (usually <see cref="Activity.Current"/>; nothing when no one listens).</summary>
    public static void Tag(Activity? activity, string? messageId, string? type, string? eventName = null)
    {
        if (activity is null)
            return;
        if (messageId is not null)
            activity.SetTag(MessageId, messageId);
        if (type is not null)
            activity.SetTag(Type, type);
        if (eventName is not null)
            activity.SetTag(Event, eventName);
    }
}
