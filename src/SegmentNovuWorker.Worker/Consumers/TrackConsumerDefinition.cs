using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The <c>segment-track</c> endpoint and its failure policy.</summary>
public sealed class TrackConsumerDefinition : ConsumerDefinition<TrackConsumer>
{
    public TrackConsumerDefinition() => EndpointName = SegmentQueues.Track;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TrackConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseSegmentNovuFailurePolicy(context);
    }
}
