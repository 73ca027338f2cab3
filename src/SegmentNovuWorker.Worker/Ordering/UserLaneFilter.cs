using MassTransit;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.MassTransitSeam;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// The first filter of a partition endpoint's consume pipe: puts each message in its user's lane, and sends it to the
/// user's hold instead when an earlier event of the user is in delayed redelivery.
/// </summary>
public sealed class UserLaneFilter(UserLanes lanes, HoldQueues holds, PartitionBalancer balancer, ILogger<UserLaneFilter> logger) : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("userLanes");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var userKey = UserKeyOf(context);
        var delivery = context.ReceiveContext as RabbitMqBasicConsumeContext;
        var channel = MassTransitInternals.ChannelOf(context.ReceiveContext);
        balancer.Delivered(PartitionQueueOf(context.ReceiveContext));
        logger.LogDebug("Delivery {DeliveryTag} of {Queue} joins the lane of {UserKey}", delivery?.DeliveryTag, context.ReceiveContext.InputAddress, userKey);
        return lanes.RunAsync(userKey, delivery is null ? null : channel, delivery?.DeliveryTag ?? 0, async () =>
        {
            var head = HoldQueues.IsHoldHead(context);
            if (!head && await holds.TryHoldAsync(context, userKey))
                return;

            await next.Send(context);

            // Delivered (or skipped): the next held event, if any, leads now. Parked again: the hold stays as it is.
            // A head that fails for good is released by HoldReleaseFilter once it is in _error.
            if (head && !context.ReceiveContext.TryGetPayload<ParkedForRedelivery>(out _))
                await holds.ReleaseNextAsync(context, userKey, PartitionQueueOf(context.ReceiveContext));
        });
    }

    /// <summary>The message's user key as the ingest API stamped it (its messageId when it has none: a lane of its own).</summary>
    public static string UserKeyOf(ConsumeContext context) =>
        context.ReceiveContext.TransportHeaders.Get<string>(DeadLetterHeaders.UserKey)
        ?? context.Headers.Get<string>(DeadLetterHeaders.UserKey) ?? context.MessageId?.ToString() ?? "";

    public static string PartitionQueueOf(ReceiveContext context) => QueueOf(context.InputAddress);

    public static string QueueOf(Uri inputAddress) => Uri.UnescapeDataString(inputAddress.Segments[^1]);
}

/// <summary>Marks a delivery that the redelivery layer parked in a wait queue (its user is now held).</summary>
public sealed class ParkedForRedelivery;

/// <summary>
/// In the error pipe, after MassTransit moved the message to <c>_error</c>: a hold head that failed for good hands the
/// lead to the next held event of its user, so a dead letter never blocks the events behind it.
/// </summary>
public sealed class HoldReleaseFilter(HoldQueues holds) : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("holdRelease");

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        await next.Send(context);
        if (context.TransportHeaders.TryGetHeader(DeadLetterHeaders.HoldHead, out _)
            && context.TransportHeaders.Get<string>(DeadLetterHeaders.UserKey) is { } userKey)
            await holds.ReleaseNextAsync(context, userKey, UserLaneFilter.PartitionQueueOf(context));
    }
}
