using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-delete</c> endpoint and its failure policy.</summary>
public sealed class DeleteConsumerDefinition : ConsumerDefinition<DeleteConsumer>
{
    public DeleteConsumerDefinition() => EndpointName = SegmentQueues.Delete;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeleteConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
