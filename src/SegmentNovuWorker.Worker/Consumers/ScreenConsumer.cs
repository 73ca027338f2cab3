using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>screen → <c>POST /v1/events/trigger</c> of the workflow mapped to the screen name in <c>Novu:Screens</c>.</summary>
/// <remarks>Most screens are not meant to notify anyone, so an unmapped one is routine and skipped, whatever <c>Novu:UnmappedEvents</c> says.</remarks>
public sealed class ScreenConsumer(WorkflowTrigger trigger, IOptionsMonitor<WorkflowMappingOptions> mapping) : IConsumer<ScreenEvent>
{
    public Task Consume(ConsumeContext<ScreenEvent> context)
    {
        var screen = context.Message;
        return trigger.TriggerAsync(context, "screen", screen.Name, mapping.CurrentValue.ScreenWorkflowFor(screen.Name), screen.Properties);
    }
}
