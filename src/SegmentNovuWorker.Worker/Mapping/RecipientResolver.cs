using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>Picks the Novu subscriberId for an event, applying <c>Novu:MissingUserId</c>.</summary>
public sealed class RecipientResolver(IOptionsMonitor<WorkflowMappingOptions> options, SegmentNovuMetrics metrics, ILogger<RecipientResolver> logger)
{
    /// <param name="type">The Segment call, for the skip counter and log line.</param>
    /// <returns>The subscriberId, or null when the event is to be skipped (already counted and logged).</returns>
    /// <exception cref="MissingUserIdException">The policy is DeadLetter, or no id at all is usable.</exception>
    public string? SubscriberIdFor(ISegmentEvent segmentEvent, string type)
    {
        if (!string.IsNullOrEmpty(segmentEvent.UserId))
            return segmentEvent.UserId;

        switch (options.CurrentValue.MissingUserId)
        {
            case MissingUserIdPolicy.Skip:
                metrics.Skipped(type, "missing-user-id");
                logger.LogInformation("Skipped {Type} {SegmentMessageId}: no userId (Novu:MissingUserId is Skip)", type, segmentEvent.MessageId);
                return null;
            case MissingUserIdPolicy.UseAnonymousId when !string.IsNullOrEmpty(segmentEvent.AnonymousId):
                return segmentEvent.AnonymousId;
            case MissingUserIdPolicy.UseAnonymousId:
                throw new MissingUserIdException("The event has neither a userId nor an anonymousId.");
            default:
                throw new MissingUserIdException("The event has no userId (Novu:MissingUserId is DeadLetter).");
        }
    }
}
