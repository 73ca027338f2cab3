using System.Diagnostics;
using MassTransit;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// What track, page and screen have in common: the mapping decides (per event, before any batching) which rules match, and
/// each matched rule becomes one Novu trigger with its own transactionId. Every trigger is rendered before the first is
/// sent, so a template that fails dead-letters the event without having sent half of it. A trigger that carries a subscriber
/// inline changes it in Novu, so <see cref="SubscriberMemory"/> forgets it.
/// </summary>
public sealed class WorkflowTrigger(NovuClient novu, WorkflowMapSource mapping, SubscriberMemory memory, SegmentNovuMetrics metrics,
    ILogger<WorkflowTrigger> logger, DeliveryRecorder recorder)
{
    /// <param name="timestamp">The event's Segment timestamp, for the end-to-end latency.</param>
    /// <param name="context">The delivery: its cancellation, and its idempotency-key lineage (<see cref="IdempotencyKeys"/>).</param>
    public async Task TriggerAsync(ConsumeContext context, MappingEvent e, DateTimeOffset? timestamp)
    {
        var cancellationToken = context.CancellationToken;
        SegmentTracing.Tag(Activity.Current, e.MessageId, e.Type, e.Name);
        var result = mapping.Current.Map(e);
        switch (result.Verdict)
        {
            case MappingVerdict.Skip:
                metrics.Skipped(e.Type, result.Reason!);
                recorder.Skipped(context, e.MessageId, e.Type, e.Name, result.Reason!, result.Why);
                if (result.Reason == MappingResult.UnmappedEvent)
                    logger.LogDebug("Skipped {Type} {SegmentMessageId}: {Why}", e.Type, e.MessageId, result.Why);
                else
                    logger.LogInformation("Skipped {Type} {SegmentMessageId}: {Why}", e.Type, e.MessageId, result.Why);
                return;
            case MappingVerdict.DeadLetter:
                throw result.Reason switch
                {
                    MappingResult.UnmappedEvent => new UnmappedEventException(e.Name ?? ""),
                    MappingResult.MissingUserId => new MissingUserIdException($"The {e.Type} cannot be sent: {result.Why}."),
                    _ => new MappingFailedException(result.FailedRule ?? "", result.Why),
                };
        }

        foreach (var trigger in result.Triggers)
        {
            var started = DeliveryRecorder.Start();
            var answer = await memory.TriggerAsync(trigger,
                () => novu.TriggerAsync(trigger, IdempotencyKeys.ForTrigger(context, trigger.TransactionId), cancellationToken));
            logger.LogInformation("Triggered Novu workflow {Workflow} for {SubscriberId} from {Type} '{Name}' {SegmentMessageId} (transactionId {TransactionId})",
                trigger.Name, trigger.To["subscriberId"]?.ToString(), e.Type, e.Name, e.MessageId, answer.TransactionId);
            recorder.Triggered(context, e, trigger, answer, started);
        }
        metrics.Delivered(e.Type, timestamp);
        recorder.Delivered(context, e.MessageId, e.Type, e.Name);
    }
}
