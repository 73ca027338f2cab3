using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>identify → <c>POST /v2/subscribers</c> (upsert).</summary>
public sealed class IdentifyConsumer(NovuClient novu, RecipientResolver recipients, SegmentNovuMetrics metrics, ILogger<IdentifyConsumer> logger)
    : IConsumer<IdentifyEvent>
{
    public async Task Consume(ConsumeContext<IdentifyEvent> context)
    {
        var identify = context.Message;

        if (recipients.SubscriberIdFor(identify, "identify") is not { } subscriberId)
            return;

        await novu.UpsertSubscriberAsync(SubscriberMapper.ToSubscriber(identify, subscriberId),
            IdempotencyKeys.For(context, identify, "subscriber"), context.CancellationToken);
        metrics.Delivered("identify", identify.Timestamp);
        logger.LogInformation("Upserted Novu subscriber {SubscriberId} from identify {SegmentMessageId}", subscriberId, identify.MessageId);
    }
}
