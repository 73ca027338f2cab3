using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>track → <c>POST /v1/events/trigger</c> of the workflow mapped to the event name in <c>Novu:Workflows</c>.</summary>
public sealed class TrackConsumer(WorkflowTrigger trigger, IOptionsMonitor<WorkflowMappingOptions> mapping) : IConsumer<TrackEvent>
{
    public Task Consume(ConsumeContext<TrackEvent> context)
    {
        var track = context.Message;
        if (string.IsNullOrEmpty(track.Event))
            throw new InvalidMessageException("A track event needs an event name.");

        var options = mapping.CurrentValue;
        var workflow = options.WorkflowFor(track.Event);
        if (workflow is null && options.UnmappedEvents == UnmappedEventPolicy.DeadLetter)
            throw new UnmappedEventException(track.Event);

        return trigger.TriggerAsync(context, "track", track.Event, workflow, track.Properties);
    }
}
