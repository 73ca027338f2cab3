using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-identify</c> endpoint and its failure policy.</summary>
public sealed class IdentifyConsumerDefinition : ConsumerDefinition<IdentifyConsumer>
{
    public IdentifyConsumerDefinition() => EndpointName = SegmentQueues.Identify;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<IdentifyConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
