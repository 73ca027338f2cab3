using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-screen</c> endpoint and its failure policy.</summary>
public sealed class ScreenConsumerDefinition : ConsumerDefinition<ScreenConsumer>
{
    public ScreenConsumerDefinition() => EndpointName = SegmentQueues.Screen;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ScreenConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
