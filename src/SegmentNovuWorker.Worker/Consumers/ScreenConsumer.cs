using MassTransit;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>screen → <c>POST /v1/events/trigger</c> for each rule of <c>Novu:Screens</c> that takes the screen.</summary>
/// <remarks>Most screens are not meant to notify anyone, so an unmapped one is routine and skipped, whatever <c>Novu:UnmappedEvents</c> says.</remarks>
public sealed class ScreenConsumer(WorkflowTrigger trigger) : IConsumer<ScreenEvent>
{
    public Task Consume(ConsumeContext<ScreenEvent> context) =>
        trigger.TriggerAsync(context, MappingEvent.From(context.Message), context.Message.Timestamp);
}
