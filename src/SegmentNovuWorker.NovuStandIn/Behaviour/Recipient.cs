using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// One entry of a trigger's <c>to</c>: a subscriber, with the fields it carried inline (if any), or a topic.
/// </summary>
public sealed record Recipient(string? SubscriberId, string? TopicKey, JsonObject? InlineFields = null)
{
    public static Recipient Subscriber(string subscriberId, JsonObject? inlineFields = null) => new(subscriberId, null, inlineFields);

    public static Recipient Topic(string topicKey) => new(null, topicKey);

    /// <summary>How <see cref="Notification.To"/> names it: the subscriberId, or <c>topic:</c> and the topic key.</summary>
    public override string ToString() => SubscriberId ?? "topic:" + TopicKey;
}
