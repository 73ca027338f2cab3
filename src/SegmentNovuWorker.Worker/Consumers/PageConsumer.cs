using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>page → <c>POST /v1/events/trigger</c> of the workflow mapped to the page name in <c>Novu:Pages</c>; unmapped ones are skipped.</summary>
public sealed class PageConsumer(
    NovuClient novu,
    RecipientResolver recipients,
    IOptionsMonitor<WorkflowMappingOptions> mapping,
    WorkerMetrics metrics,
    ILogger<PageConsumer> logger)
    : IConsumer<PageEvent>
{
    public async Task Consume(ConsumeContext<PageEvent> context)
    {
        var page = context.Message;

        // Most pages are not meant to notify anyone: only the mapped names are, so an unmapped one is routine.
        if (mapping.CurrentValue.PageWorkflowFor(page.Name) is not { } workflow)
        {
            metrics.Skipped("page", "unmapped-page");
            logger.LogDebug("Skipped page {SegmentMessageId}: no workflow mapped to '{Name}'", page.MessageId, page.Name);
            return;
        }

        if (recipients.SubscriberIdFor(page) is not { } subscriberId)
        {
            metrics.Skipped("page", "missing-user-id");
            logger.LogInformation("Skipped page {SegmentMessageId}: no userId (Novu:MissingUserId is Skip)", page.MessageId);
            return;
        }

        var result = await novu.TriggerAsync(TriggerMapper.ToTrigger(page, page.Properties, workflow, subscriberId),
            IdempotencyKeys.For(page, "trigger"), context.CancellationToken);
        metrics.Delivered("page");
        logger.LogInformation("Triggered Novu workflow {Workflow} for {SubscriberId} from page '{Name}' {SegmentMessageId} (transactionId {TransactionId})",
            workflow, subscriberId, page.Name, page.MessageId, result.TransactionId);
    }
}
