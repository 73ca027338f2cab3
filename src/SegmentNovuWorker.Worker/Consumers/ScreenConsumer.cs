using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>screen → <c>POST /v1/events/trigger</c> of the workflow mapped to the screen name in <c>Novu:Screens</c>; unmapped ones are skipped.</summary>
public sealed class ScreenConsumer(
    NovuClient novu,
    RecipientResolver recipients,
    IOptionsMonitor<WorkflowMappingOptions> mapping,
    WorkerMetrics metrics,
    ILogger<ScreenConsumer> logger)
    : IConsumer<ScreenEvent>
{
    public async Task Consume(ConsumeContext<ScreenEvent> context)
    {
        var screen = context.Message;

        // Most screens are not meant to notify anyone: only the mapped names are, so an unmapped one is routine.
        if (mapping.CurrentValue.ScreenWorkflowFor(screen.Name) is not { } workflow)
        {
            metrics.Skipped("screen", "unmapped-screen");
            logger.LogDebug("Skipped screen {SegmentMessageId}: no workflow mapped to '{Name}'", screen.MessageId, screen.Name);
            return;
        }

        if (recipients.SubscriberIdFor(screen) is not { } subscriberId)
        {
            metrics.Skipped("screen", "missing-user-id");
            logger.LogInformation("Skipped screen {SegmentMessageId}: no userId (Novu:MissingUserId is Skip)", screen.MessageId);
            return;
        }

        var result = await novu.TriggerAsync(TriggerMapper.ToTrigger(screen, screen.Properties, workflow, subscriberId),
            IdempotencyKeys.For(screen, "trigger"), context.CancellationToken);
        metrics.Delivered("screen");
        logger.LogInformation("Triggered Novu workflow {Workflow} for {SubscriberId} from screen '{Name}' {SegmentMessageId} (transactionId {TransactionId})",
            workflow, subscriberId, screen.Name, screen.MessageId, result.TransactionId);
    }
}
