using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-page</c> endpoint and its failure policy.</summary>
public sealed class PageConsumerDefinition : ConsumerDefinition<PageConsumer>
{
    public PageConsumerDefinition() => EndpointName = SegmentQueues.Page;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
