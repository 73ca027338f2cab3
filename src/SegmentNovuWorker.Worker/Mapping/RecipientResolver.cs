using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>Picks the Novu subscriberId for an event, applying <c>Novu:MissingUserId</c>.</summary>
public sealed class RecipientResolver(IOptionsMonitor<WorkflowMappingOptions> options)
{
    /// <returns>The subscriberId, or null when the event is to be skipped.</returns>
    /// <exception cref="MissingUserIdException">The policy is DeadLetter, or no id at all is usable.</exception>
    public string? SubscriberIdFor(ISegmentEvent segmentEvent)
    {
        if (!string.IsNullOrEmpty(segmentEvent.UserId))
            return segmentEvent.UserId;

        return options.CurrentValue.MissingUserId switch
        {
            MissingUserIdPolicy.Skip => null,
            MissingUserIdPolicy.UseAnonymousId when !string.IsNullOrEmpty(segmentEvent.AnonymousId) => segmentEvent.AnonymousId,
            MissingUserIdPolicy.UseAnonymousId => throw new MissingUserIdException("The event has neither a userId nor an anonymousId."),
            _ => throw new MissingUserIdException("The event has no userId (Novu:MissingUserId is DeadLetter)."),
        };
    }
}
