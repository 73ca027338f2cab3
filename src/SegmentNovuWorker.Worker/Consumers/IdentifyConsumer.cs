using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.Mapping;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// identify → <c>POST /v2/subscribers</c> (upsert), unless it would send the fields this worker last sent for the subscriber
/// (<see cref="SubscriberMemory"/>): then it is counted as skipped, reason <c>unchanged</c>.
/// </summary>
public sealed class IdentifyConsumer(NovuClient novu, RecipientResolver recipients, SubscriberMemory memory, SegmentNovuMetrics metrics,
    ILogger<IdentifyConsumer> logger, DeliveryRecorder recorder)
    : IConsumer<IdentifyEvent>
{
    public async Task Consume(ConsumeContext<IdentifyEvent> context)
    {
        var identify = context.Message;

        if (recipients.SubscriberIdFor(identify, "identify") is not { } subscriberId)
            return;

        var started = DeliveryRecorder.Start();
        var sent = await memory.UpsertIfChangedAsync(SubscriberMapper.ToSubscriber(identify, subscriberId), subscriber =>
            novu.UpsertSubscriberAsync(subscriber, IdempotencyKeys.For(context, identify, "subscriber"), context.CancellationToken));
        if (!sent)
        {
            metrics.Skipped("identify", SubscriberMemory.UnchangedReason);
            recorder.Skipped(context, identify.MessageId, "identify", null, SubscriberMemory.UnchangedReason, "the subscriber is unchanged since this worker last sent it");
            logger.LogDebug("Skipped identify {SegmentMessageId}: Novu subscriber {SubscriberId} unchanged since this worker last sent it",
                identify.MessageId, subscriberId);
            return;
        }
        metrics.Delivered("identify", identify.Timestamp);
        recorder.Upserted(context, identify, subscriberId, started);
        logger.LogInformation("Upserted Novu subscriber {SubscriberId} from identify {SegmentMessageId}", subscriberId, identify.MessageId);
    }
}
