using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-alias</c> endpoint and its failure policy.</summary>
public sealed class AliasConsumerDefinition : ConsumerDefinition<AliasConsumer>
{
    public AliasConsumerDefinition() => EndpointName = SegmentQueues.Alias;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AliasConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
