using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.MassTransitSeam;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Parks a message in its wait queue for the delay (<see cref="WaitQueues"/>): the same body, message id and headers, with
/// <c>MT-Redelivery-Count</c> raised, the failure history (<c>SNW-*</c>) carried on, and marked as the head of its user's
/// hold (<see cref="HoldQueues"/>), which opens first so that the user's later events wait behind it. The hold opens
/// before the message is parked: a worker that dies in between leaves a hold without a head, with the original coming
/// back and joining the hold in its place (ahead of the user's events that came after it), and the hold sweep
/// (<see cref="HoldSweeper"/>) lets it lead once the copy would have been due. Parking first left a copy without a hold
/// instead, run as an ordinary event after the user's later events had run.
/// </summary>
public sealed class WaitQueueRedelivery(WaitQueues waitQueues, HoldQueues holds, PartitionLanes lanes, IOptions<RetryOptions> options,
    DeliveryRecorder recorder) : IRedeliveryScheduler
{
    public Task ScheduleAsync<TMessage>(ConsumeContext<TMessage> context, TimeSpan delay, Action<ConsumeContext, SendContext>? callback)
        where TMessage : class =>
        ParkAsync(context, delay, context.GetRedeliveryCount() + 1, callback);

    /// <summary>
    /// Parks a message that waited at the Novu gate as long as it may, for the first redelivery delay, in its user's order as
    /// a failed one is; its redelivery count stays as it was, since Novu being down is no failure of the event.
    /// </summary>
    public Task ParkWhileNovuIsUnusableAsync<TMessage>(ConsumeContext<TMessage> context)
        where TMessage : class =>
        ParkAsync(context, options.Value.RedeliveryDelays[0], context.GetRedeliveryCount(), null);

    async Task ParkAsync<TMessage>(ConsumeContext<TMessage> context, TimeSpan delay, int redeliveryCount, Action<ConsumeContext, SendContext>? callback)
        where TMessage : class
    {
        var queue = UserLaneFilter.PartitionQueueOf(context.ReceiveContext);
        var userKey = UserLaneFilter.UserKeyOf(context.ReceiveContext);
        var waitQueue = await waitQueues.EnsureDeclaredAsync(context, queue, waitQueues.Snap(delay));
        var report = context.ReceiveContext.GetOrAddPayload(() => FailureReport.FromHeaders(context.Headers));

        await holds.HoldAsync(context, userKey, queue, DateTimeOffset.UtcNow + waitQueues.Snap(delay));
        lanes.For(queue).MarkHeld(userKey);
        await ScheduledRedelivery.ForwardAsync(context, new Uri($"exchange:{waitQueue}"), send =>
        {
            send.Headers.Set(MessageHeaders.RedeliveryCount, redeliveryCount);
            send.Headers.Set(DeadLetterHeaders.HoldHead, "true");
            report.WriteProgress(send.Headers);
            callback?.Invoke(context, send);
        });

        recorder.Parked(context, waitQueues.Snap(delay), waitQueue);
        context.ReceiveContext.GetOrAddPayload(() => new ParkedForRedelivery());
    }
}
