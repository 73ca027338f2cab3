using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// group → the user joins the group's Novu topic: <c>POST /v2/topics</c> (key from <c>Novu:GroupTopicKeyFormat</c>, named
/// from the group's <c>name</c> trait), then <c>POST /v2/topics/{key}/subscriptions</c>.
/// </summary>
public sealed class GroupConsumer(
    NovuClient novu,
    RecipientResolver recipients,
    IOptionsMonitor<WorkflowMappingOptions> mapping,
    SegmentNovuMetrics metrics,
    ILogger<GroupConsumer> logger)
    : IConsumer<GroupEvent>
{
    public async Task Consume(ConsumeContext<GroupEvent> context)
    {
        var group = context.Message;

        if (recipients.SubscriberIdFor(group, "group") is not { } subscriberId)
            return;

        var topicKey = mapping.CurrentValue.TopicKeyFor(group.GroupId);
        // The topic is upserted first so it carries the group's name; the subscription call alone would create it unnamed.
        await novu.UpsertTopicAsync(new TopicUpsert(topicKey, NameOf(group.Traits)),
            IdempotencyKeys.For(context, group, "topic"), context.CancellationToken);
        await novu.AddTopicSubscriptionsAsync(topicKey, new TopicSubscriptions([subscriberId]),
            IdempotencyKeys.For(context, group, "topic-subscription"), context.CancellationToken);
        metrics.Delivered("group", group.Timestamp);
        logger.LogInformation("Subscribed {SubscriberId} to Novu topic {TopicKey} from group {SegmentMessageId}", subscriberId, topicKey, group.MessageId);
    }

    static string? NameOf(JsonElement? traits) =>
        traits is { ValueKind: JsonValueKind.Object } t && t.TryGetProperty("name", out var name)
        && name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } s
            ? s
            : null;
}
