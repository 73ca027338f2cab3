using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// Segment's user deletion (GDPR) → <c>DELETE /v2/subscribers/{subscriberId}</c>; one already gone is success. The subscriber
/// is forgotten by <see cref="SubscriberMemory"/> first, whatever the answer, so the next identify is sent.
/// </summary>
public sealed class DeleteConsumer(NovuClient novu, RecipientResolver recipients, SubscriberMemory memory, SegmentNovuMetrics metrics,
    ILogger<DeleteConsumer> logger)
    : IConsumer<DeleteEvent>
{
    public async Task Consume(ConsumeContext<DeleteEvent> context)
    {
        var delete = context.Message;

        if (recipients.SubscriberIdFor(delete, "delete") is not { } subscriberId)
            return;

        await memory.ForgetAsync(subscriberId, () => novu.DeleteSubscriberAsync(subscriberId, context.CancellationToken));
        metrics.Delivered("delete", delete.Timestamp);
        logger.LogInformation("Deleted Novu subscriber {SubscriberId} for Segment user deletion {SegmentMessageId}", subscriberId, delete.MessageId);
    }
}
