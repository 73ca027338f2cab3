using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using MassTransit.RabbitMqTransport;
using MassTransit.RetryPolicies;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Worker.MassTransitSeam;

/// <summary>
/// Every use of MassTransit beyond its documented configuration API, in one place: types from its <c>Middleware</c>,
/// <c>Configuration</c>, <c>RetryPolicies</c>, <c>Serialization</c> and <c>RabbitMqTransport</c> namespaces,
/// which a MassTransit upgrade may change without notice. <c>When_masstransit_changes_underneath</c> (integration tests)
/// checks the behaviour each relies on; run it first after an upgrade. <see cref="ScheduledRedelivery"/>, beside this
/// file, is the other part of the seam. The seam knows nothing of this service's ordering or failure rules: they plug
/// into it.
/// </summary>
public static class MassTransitInternals
{
    /// <summary>
    /// A filter that sees each delivery once, before MassTransit dispatches it by message type: outside the retries and
    /// redeliveries, which are added per message type. (<c>UseFilter</c> would copy it into each message type's pipe,
    /// inside the retries, and run it again on every attempt.)
    /// </summary>
    public static void UseDeliveryFilter(this IReceiveEndpointConfigurator endpoint, IFilter<ConsumeContext> filter) =>
        endpoint.AddPrePipeSpecification(new FilterPipeSpecification<ConsumeContext>(filter));

    /// <summary>
    /// The error pipe MassTransit builds by default (publish the fault, move to <c>_error</c>), with our filters before it.
    /// Replacing the pipe is the only way to add headers to the dead letter.
    /// </summary>
    public static void UseDeadLetterPipe(this IReceiveEndpointConfigurator endpoint, params IFilter<ExceptionReceiveContext>[] before) =>
        endpoint.ConfigureError(error =>
        {
            foreach (var filter in before)
                error.UseFilter(filter);
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });

    /// <summary>MassTransit's interval retry policy, for wrapping in a policy of one's own.</summary>
    public static IRetryPolicy Intervals(IExceptionFilter filter, TimeSpan[] delays) => new IntervalRetryPolicy(filter, delays);

    /// <summary>The RabbitMQ connection a message was received on.</summary>
    public static IConnection ConnectionOf(PipeContext context) =>
        context.TryGetPayload<ChannelContext>(out var channel)
            ? channel.ConnectionContext.Connection
            : throw new InvalidOperationException("This needs MassTransit's RabbitMQ transport.");

    /// <summary>The RabbitMQ channel a message was received on (delivery tags count per channel).</summary>
    public static IChannel? ChannelOf(PipeContext context) => context.TryGetPayload<ChannelContext>(out var channel) ? channel.Channel : null;
}
