using MassTransit;
using MassTransit.Configuration;
using MassTransit.Serialization;

namespace SegmentNovuWorker.Worker.MassTransitSeam;

/// <summary>Parks a message for a later redelivery; what MassTransit's redelivery layer asks for (<see cref="ScheduledRedelivery"/>).</summary>
public interface IRedeliveryScheduler
{
    /// <summary>Sends the message away for <paramref name="delay"/>; MassTransit acknowledges the original once this completes.</summary>
    Task ScheduleAsync<TMessage>(ConsumeContext<TMessage> context, TimeSpan delay, Action<ConsumeContext, SendContext>? callback)
        where TMessage : class;
}

/// <summary>
/// MassTransit's own delayed redelivery (<c>RedeliveryRetryFilter</c>: retry policy, <c>Handle</c>/<c>Ignore</c>,
/// <c>MT-Redelivery-Count</c>) with the step that parks the message handed to an <see cref="IRedeliveryScheduler"/>, where
/// <c>UseDelayedRedelivery</c> would need the delayed-message exchange plugin.
/// </summary>
public static class ScheduledRedelivery
{
    /// <summary>Adds the redelivery layer to every message type of the endpoint, outside what is configured after it.</summary>
    public static void UseScheduledRedelivery(this IReceiveEndpointConfigurator endpoint, IRedeliveryScheduler scheduler, Action<IRedeliveryConfigurator> configure) =>
        // MassTransit's observer connects itself to the endpoint's configuration in its base constructor.
        _ = new SchedulerRedeliveryConfigurationObserver(endpoint, scheduler, configure);

    /// <summary>
    /// Sends the consumed message on to <paramref name="destination"/> as it is (body, message id, headers), mandatory and
    /// confirmed, with <paramref name="stamp"/> applied: a missing destination fails the send instead of dropping it.
    /// </summary>
    public static async Task ForwardAsync<TMessage>(ConsumeContext<TMessage> context, Uri destination, Action<SendContext> stamp)
        where TMessage : class
    {
        var endpoint = await context.GetSendEndpoint(destination);
        var pipe = new ForwardMessagePipe<TMessage>(context, Pipe.Execute<SendContext<TMessage>>(send =>
        {
            if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.Mandatory = true;
            stamp(send);
        }));
        await endpoint.Send(context.Message, pipe, context.CancellationToken);
    }

    sealed class SchedulerRedeliveryConfigurationObserver(IConsumePipeConfigurator configurator, IRedeliveryScheduler scheduler, Action<IRedeliveryConfigurator> configure)
        : ScheduledRedeliveryConfigurationObserver(configurator, configure)
    {
        protected override IRedeliveryPipeSpecification AddRedeliveryPipeSpecification<TMessage>(IConsumePipeConfigurator configurator)
        {
            var specification = new Specification<TMessage>(scheduler);
            configurator.AddPipeSpecification(specification);
            return specification;
        }
    }

    sealed class Specification<TMessage>(IRedeliveryScheduler scheduler) : IPipeSpecification<ConsumeContext<TMessage>>, IRedeliveryPipeSpecification
        where TMessage : class
    {
        public RedeliveryOptions Options { get; set; }

        public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) => builder.AddFilter(new Filter<TMessage>(scheduler));

        public IEnumerable<ValidationResult> Validate() => [];
    }

    sealed class Filter<TMessage>(IRedeliveryScheduler scheduler) : IFilter<ConsumeContext<TMessage>>
        where TMessage : class
    {
        public void Probe(ProbeContext context) => context.CreateFilterScope("scheduledRedelivery");

        public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
        {
            context.GetOrAddPayload<MessageRedeliveryContext>(() => new Context<TMessage>(context, scheduler));
            return next.Send(context);
        }
    }

    sealed class Context<TMessage>(ConsumeContext<TMessage> context, IRedeliveryScheduler scheduler) : MessageRedeliveryContext
        where TMessage : class
    {
        public Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback = null) =>
            scheduler.ScheduleAsync(context, delay, callback);
    }
}
