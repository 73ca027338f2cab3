using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// alias → nothing in Novu: Novu cannot merge two subscribers, and copying one onto the other would lose its history
/// and preferences. Each alias is counted (<c>segment_novu.events.skipped</c>, reason <c>novu-cannot-merge</c>) and logged.
/// </summary>
public sealed class AliasConsumer(SegmentNovuMetrics metrics, ILogger<AliasConsumer> logger) : IConsumer<AliasEvent>
{
    public Task Consume(ConsumeContext<AliasEvent> context)
    {
        var alias = context.Message;
        metrics.Skipped("alias", "novu-cannot-merge");
        logger.LogInformation("Skipped alias {SegmentMessageId} of {PreviousId} to {UserId}: Novu cannot merge subscribers",
            alias.MessageId, alias.PreviousId, alias.UserId);
        return Task.CompletedTask;
    }
}
