using MassTransit;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.MassTransitSeam;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// The first filter of a partition endpoint's receive pipe, around everything else (deserialization, retries, the error
/// pipe): puts each delivery in its user's lane (<see cref="UserLanes"/>) and does what its ticket says: run it, or park it
/// in the user's hold. A hold head, once done (delivered, skipped or dead-lettered, not parked for
/// redelivery), hands the lead to the next held event.
/// </summary>
public sealed class UserLaneFilter(UserLanes lanes, PartitionLanes partitions, HoldQueues holds, int userShare, ILogger<UserLaneFilter> logger,
    DeliveryRecorder? recorder = null) : IFilter<ReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("userLanes");

    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        var userKey = UserKeyOf(context);
        var queue = PartitionQueueOf(context);
        var head = HoldQueues.IsHoldHead(context);
        var delivery = context as RabbitMqBasicConsumeContext;
        partitions.Delivered(queue);
        logger.LogDebug("Delivery {DeliveryTag} of {Queue} joins the lane of {UserKey}", delivery?.DeliveryTag, queue, userKey);

        var channel = delivery is null ? null : MassTransitInternals.ChannelOf(context);
        // Waiting for its turn ends with the delivery, or once this worker has closed its channel (nothing will settle it).
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lanes.ReleasedWith(channel));
        using var ticket = await lanes.EnterAsync(userKey, head, channel, delivery?.DeliveryTag ?? 0, waiting.Token);
        LaneTicket? unparked = null;
        try
        {
            if (ticket.Way == LaneWay.Run)
            {
                await ticket.WaitTurnAsync(waiting.Token);
                await RunAsync(context, next, userKey, queue, head, ticket.WaitingBehind, waiting.Token);
                return;
            }
            // Offered to the hold as soon as the user's earlier parked events' offers are on their way: the offer channel
            // routes them in that order, and their confirms are not waited for one by one.
            await ticket.WaitPlaceTurnAsync(waiting.Token);
            if (await holds.TryHoldAsync(context, userKey, ticket.MarkPlaced))
            {
                recorder?.Held(context);
                return;
            }
            // Its user turned out not to be held any more: it runs after all, once the user's earlier parked events are done
            // (they may be running for the same reason), behind what came before it.
            await ticket.WaitTurnAsync(waiting.Token);
            unparked = ticket.Unpark();
            await unparked.WaitTurnAsync(waiting.Token);
            await RunAsync(context, next, userKey, queue, head: false, waitingBehind: 0, waiting.Token);
        }
        finally
        {
            // A handover closes the channel once what started has finished; MassTransit acknowledges a delivery only after
            // this filter returns, so "finished" waits for that (LaneSettlement), or the acknowledgement would find the
            // channel closed and the next worker would run the delivery again (two workers sharing a bucket resent
            // 100-225 events a run so).
            LaneSettlement.After(context, ticket.HandOffFinish());
            if (unparked is not null)
            {
                LaneSettlement.After(context, unparked.HandOffFinish());
                unparked.Dispose();
            }
        }
    }

    async Task RunAsync(ReceiveContext context, IPipe<ReceiveContext> next, string userKey, string queue, bool head, int waitingBehind,
        CancellationToken waiting)
    {
        if (head && !await holds.ExistsAsync(context, userKey))
        {
            // A head whose hold is gone: a real head whose hold a duplicate head (a re-parked head returned by a worker
            // that stopped between parking its copy and acknowledging it) already released, or that duplicate itself.
            // The two cannot be told apart, and skipping the first loses the event, so it runs as an ordinary event:
            // a copy is then delivered twice, which Novu's transactionId (and the idempotency key) answers once.
            logger.LogInformation("A hold head of user {UserHash} found its hold gone: it runs as an ordinary event",
                SegmentPartitions.UserHash(userKey));
            lanes.MarkReleased(userKey);
            head = false;
        }
        if (!head && await holds.TryHoldAsync(context, userKey))
        {
            recorder?.Held(context);
            lanes.MarkHeld(userKey);
            return;
        }

        if (!head && waitingBehind > userShare)
        {
            // A burst: more of the user's events wait here than its share of the partition's held deliveries, keeping the
            // users queued behind them out. This one, the user's earliest not yet done, leads the user's hold from the back
            // of the partition queue; those behind it find the hold and move to the hold queue in order, giving their
            // slots back; the hold lets them lead one after another.
            await holds.LeadAsync(context, userKey, queue);
            lanes.MarkHeld(userKey);
            recorder?.Held(context);
            logger.LogDebug("User {UserHash} has {Waiting} events waiting in {Queue}: the rest of its burst waits in its hold",
                SegmentPartitions.UserHash(userKey), waitingBehind, queue);
            return;
        }

        using (await partitions.RunSlotAsync(waiting))
            await next.Send(context);

        // Done with (delivered, skipped, or in _error): the next held event leads now. Parked again: the hold stays.
        if (head && !context.TryGetPayload<ParkedForRedelivery>(out _) && await holds.ReleaseNextAsync(context, userKey, queue))
            lanes.MarkReleased(userKey);
    }

    /// <summary>The message's user key as the ingest API stamped it (its message id when it has none: a lane of its own).</summary>
    public static string UserKeyOf(ReceiveContext context) =>
        context.TransportHeaders.Get<string>(DeadLetterHeaders.UserKey)
        ?? (context as RabbitMqBasicConsumeContext)?.Properties.MessageId ?? "";

    public static string PartitionQueueOf(ReceiveContext context) => QueueOf(context.InputAddress);

    public static string QueueOf(Uri inputAddress) => Uri.UnescapeDataString(inputAddress.Segments[^1]);
}
