using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>track → <c>POST /v1/events/trigger</c> for each rule of <c>Novu:Workflows</c> that takes the event.</summary>
public sealed class TrackConsumer(WorkflowTrigger trigger) : IConsumer<TrackEvent>
{
    public Task Consume(ConsumeContext<TrackEvent> context)
    {
        var track = context.Message;
        if (string.IsNullOrEmpty(track.Event))
            throw new InvalidMessageException("A track event needs an event name.");
        return trigger.TriggerAsync(context, MappingEvent.From(track), track.Timestamp);
    }
}
