using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>track → <c>POST /v1/events/trigger</c> of the workflow mapped to the event name.</summary>
public sealed class TrackConsumer(
    NovuClient novu,
    RecipientResolver recipients,
    IOptionsMonitor<WorkflowMappingOptions> mapping,
    WorkerMetrics metrics,
    ILogger<TrackConsumer> logger)
    : IConsumer<TrackEvent>
{
    public async Task Consume(ConsumeContext<TrackEvent> context)
    {
        var track = context.Message;

        if (string.IsNullOrEmpty(track.Event))
            throw new InvalidMessageException("A track event needs an event name.");

        var options = mapping.CurrentValue;
        if (options.WorkflowFor(track.Event) is not { } workflow)
        {
            if (options.UnmappedEvents == UnmappedEventPolicy.DeadLetter)
                throw new UnmappedEventException(track.Event);
            metrics.Skipped("track", "unmapped-event");
            logger.LogDebug("Skipped track {SegmentMessageId}: no workflow mapped to '{EventName}'", track.MessageId, track.Event);
            return;
        }

        if (recipients.SubscriberIdFor(track) is not { } subscriberId)
        {
            metrics.Skipped("track", "missing-user-id");
            logger.LogInformation("Skipped track {SegmentMessageId}: no userId (Novu:MissingUserId is Skip)", track.MessageId);
            return;
        }

        var result = await novu.TriggerAsync(TriggerMapper.ToTrigger(track, workflow, subscriberId),
            IdempotencyKeys.For(track, "trigger"), context.CancellationToken);
        metrics.Delivered("track");
        logger.LogInformation("Triggered Novu workflow {Workflow} for {SubscriberId} from track '{EventName}' {SegmentMessageId} (transactionId {TransactionId})",
            workflow, subscriberId, track.Event, track.MessageId, result.TransactionId);
    }
}
