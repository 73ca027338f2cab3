using MassTransit;
using MassTransit.Configuration;
using MassTransit.Serialization;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.Worker.MassTransitSeam;

/// <summary>
/// Plugs <see cref="WaitQueues"/> into MassTransit's own redelivery pipeline: MassTransit's
/// <c>RedeliveryRetryFilter</c> still decides whether and when to redeliver (retry policy, <c>Handle</c>/<c>Ignore</c>,
/// <c>MT-Redelivery-Count</c>); only the <see cref="MessageRedeliveryContext"/> it asks to do the redelivery is ours,
/// where <c>UseDelayedRedelivery</c> would give it one that needs the delayed-message exchange plugin.
/// </summary>
public sealed class WaitQueueRedeliveryConfigurationObserver(
    IConsumePipeConfigurator configurator,
    WaitQueues waitQueues,
    HoldQueues holds,
    IConsumeObserver? outageObserver,
    Action<IRedeliveryConfigurator> configure)
    : ScheduledRedeliveryConfigurationObserver(configurator, configure)
{
    protected override IRedeliveryPipeSpecification AddRedeliveryPipeSpecification<TMessage>(IConsumePipeConfigurator configurator)
    {
        var specification = new WaitQueueRedeliveryPipeSpecification<TMessage>(waitQueues, holds, outageObserver);
        configurator.AddPipeSpecification(specification);
        return specification;
    }
}

sealed class WaitQueueRedeliveryPipeSpecification<TMessage>(WaitQueues waitQueues, HoldQueues holds, IConsumeObserver? outageObserver)
    : IPipeSpecification<ConsumeContext<TMessage>>, IRedeliveryPipeSpecification
    where TMessage : class
{
    public RedeliveryOptions Options { get; set; }

    public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) =>
        builder.AddFilter(new WaitQueueRedeliveryFilter<TMessage>(waitQueues, holds, outageObserver));

    public IEnumerable<ValidationResult> Validate() => [];
}

sealed class WaitQueueRedeliveryFilter<TMessage>(WaitQueues waitQueues, HoldQueues holds, IConsumeObserver? outageObserver) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("waitQueueRedelivery");

    public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        context.GetOrAddPayload<MessageRedeliveryContext>(() => new WaitQueueRedeliveryContext<TMessage>(context, waitQueues, holds, outageObserver));
        return next.Send(context);
    }
}

/// <summary>
/// Parks the message in the wait queue for the delay: the same body, message id and headers, with
/// <c>MT-Redelivery-Count</c> raised, the failure history (<c>SNW-*</c>) carried on, and marked as the head of its user's
/// hold (<see cref="HoldQueues"/>), which it opens first so that the user's later events wait behind it. The send is mandatory and
/// confirmed before MassTransit acknowledges the original, so a missing wait queue fails the redelivery instead of
/// dropping the message.
/// MassTransit counts a delivery handed to redelivery as consumed; <paramref name="outageObserver"/> (the kill switch)
/// is told it failed, so an outage that only ever causes redeliveries still trips it.
/// </summary>
sealed class WaitQueueRedeliveryContext<TMessage>(ConsumeContext<TMessage> context, WaitQueues waitQueues, HoldQueues holds, IConsumeObserver? outageObserver)
    : MessageRedeliveryContext
    where TMessage : class
{
    public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback = null)
    {
        var queue = UserLaneFilter.PartitionQueueOf(context.ReceiveContext);
        // The user's later events wait behind this one from now on, in the broker; it comes back as the hold's head.
        await holds.HoldAsync(context, UserLaneFilter.UserKeyOf(context));
        var waitQueue = await waitQueues.EnsureDeclaredAsync(context, queue, waitQueues.Snap(delay));
        var report = context.ReceiveContext.GetOrAddPayload(() => FailureReport.FromHeaders(context.Headers));

        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{waitQueue}"));
        var pipe = new ForwardMessagePipe<TMessage>(context, Pipe.Execute<SendContext<TMessage>>(send =>
        {
            send.Headers.Set(MessageHeaders.RedeliveryCount, context.GetRedeliveryCount() + 1);
            send.Headers.Set(DeadLetterHeaders.HoldHead, "true");
            report.WriteProgress(send.Headers);
            if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.Mandatory = true;
            callback?.Invoke(context, send);
        }));
        await endpoint.Send(context.Message, pipe, context.CancellationToken);
        context.ReceiveContext.GetOrAddPayload(() => new ParkedForRedelivery());

        if (outageObserver is not null && report.LastException is { } exception)
            await outageObserver.ConsumeFault(context, exception);
    }
}
