using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-group</c> endpoint and its failure policy.</summary>
public sealed class GroupConsumerDefinition : ConsumerDefinition<GroupConsumer>
{
    public GroupConsumerDefinition() => EndpointName = SegmentQueues.Group;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<GroupConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
