using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Once per delivery, before anything is tried: a delivery the partition queue hands out for the last time (it was
/// returned <see cref="QueueArguments.DeliveryLimit"/> times: the worker's process crashed on it, its connection dropped,
/// stops cut short) goes to <c>_error</c> as <see cref="FailureReasons.DeliveryLimit"/> from here, through the error pipe,
/// instead of being tried once more.
/// </summary>
/// <remarks>
/// Left to RabbitMQ, the next return would dead-letter it without the worker seeing it: a message that kills the process
/// would kill it once more first, and a hold head would leave its hold with nobody to release it, its user's later events
/// held for good. Settled here, it is done like any dead-lettered event: its <c>SNW-*</c> headers written, and a hold head
/// hands its user's lead on (<see cref="Ordering.UserLaneFilter"/>). The broker's own limit stays the backstop for a
/// worker that dies within this filter.
/// </remarks>
public sealed class DeliveryLimitFilter : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("deliveryLimit");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var returns = context.ReceiveContext.TransportHeaders.Get<long>(QueueArguments.DeliveryCountHeader) ?? 0;
        return returns >= QueueArguments.DeliveryLimit ? throw new DeliveryLimitReachedException(returns) : next.Send(context);
    }
}

/// <summary>A delivery on its last hand-out by its partition queue (<see cref="DeliveryLimitFilter"/>). Never retried.</summary>
public sealed class DeliveryLimitReachedException(long returns)
    : EventRejectedException(FailureReasons.DeliveryLimit,
        $"The partition queue handed this message out {returns + 1} times without it being settled (its worker crashed, its connection dropped or a stop was cut short); it is not tried again.");
