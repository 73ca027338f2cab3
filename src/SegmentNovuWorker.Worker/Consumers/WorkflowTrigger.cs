using System.Text.Json;
using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// What track, page and screen have in common: a name mapped (or not) to a Novu workflow, triggered for the event's
/// subscriber with its properties as payload and its Segment messageId as transactionId.
/// </summary>
public sealed class WorkflowTrigger(NovuClient novu, RecipientResolver recipients, WorkerMetrics metrics, ILogger<WorkflowTrigger> logger)
{
    /// <param name="type">The Segment call (<c>track</c>, <c>page</c>, <c>screen</c>), for metrics and logs.</param>
    /// <param name="name">The event, page or screen name that was looked up.</param>
    /// <param name="workflow">The mapped workflow; null skips the event as unmapped.</param>
    public async Task TriggerAsync<TEvent>(ConsumeContext<TEvent> context, string type, string? name, string? workflow, JsonElement? properties)
        where TEvent : class, ISegmentEvent
    {
        var segmentEvent = context.Message;
        if (workflow is null)
        {
            metrics.Skipped(type, "unmapped-event");
            logger.LogDebug("Skipped {Type} {SegmentMessageId}: no workflow mapped to '{Name}'", type, segmentEvent.MessageId, name);
            return;
        }

        if (recipients.SubscriberIdFor(segmentEvent, type) is not { } subscriberId)
            return;

        var result = await novu.TriggerAsync(TriggerMapper.ToTrigger(segmentEvent, properties, workflow, subscriberId),
            IdempotencyKeys.For(context, segmentEvent, "trigger"), context.CancellationToken);
        metrics.Delivered(type);
        logger.LogInformation("Triggered Novu workflow {Workflow} for {SubscriberId} from {Type} '{Name}' {SegmentMessageId} (transactionId {TransactionId})",
            workflow, subscriberId, type, name, segmentEvent.MessageId, result.TransactionId);
    }
}
