using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>page → <c>POST /v1/events/trigger</c> of the workflow mapped to the page name in <c>Novu:Pages</c>.</summary>
/// <remarks>Most pages are not meant to notify anyone, so an unmapped one is routine and skipped, whatever <c>Novu:UnmappedEvents</c> says.</remarks>
public sealed class PageConsumer(WorkflowTrigger trigger, IOptionsMonitor<WorkflowMappingOptions> mapping) : IConsumer<PageEvent>
{
    public Task Consume(ConsumeContext<PageEvent> context)
    {
        var page = context.Message;
        return trigger.TriggerAsync(context, "page", page.Name, mapping.CurrentValue.PageWorkflowFor(page.Name), page.Properties);
    }
}
