using MassTransit;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>page → <c>POST /v1/events/trigger</c> for each rule of <c>Novu:Pages</c> that takes the page.</summary>
/// <remarks>Most pages are not meant to notify anyone, so an unmapped one is routine and skipped, whatever <c>Novu:UnmappedEvents</c> says.</remarks>
public sealed class PageConsumer(WorkflowTrigger trigger) : IConsumer<PageEvent>
{
    public Task Consume(ConsumeContext<PageEvent> context) =>
        trigger.TriggerAsync(context, MappingEvent.From(context.Message), context.Message.Timestamp);
}
