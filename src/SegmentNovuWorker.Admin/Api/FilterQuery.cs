using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>The dead-letter filter as query parameters, named as the tool's options are.</summary>
sealed record FilterQuery(string? Queue, string? Reason, string? Event, string? Type, DateTimeOffset? Since, DateTimeOffset? Until, string? MessageId)
{
    public DeadLetterFilter ToFilter() => new(Queue, Reason, Event, Type, Since?.ToUniversalTime(), Until?.ToUniversalTime(), MessageId);
}
