using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>Which dead letters an operation applies to; every criterion given must hold. No criteria: all of them.</summary>
/// <param name="Queue">The service queue (<c>segment-track</c>) or its <c>_error</c> queue.</param>
/// <param name="Since">Last failure at or after this time.</param>
/// <param name="Until">Last failure before this time.</param>
public sealed record DeadLetterFilter(
    string? Queue = null,
    string? Reason = null,
    string? EventName = null,
    string? Type = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    string? MessageId = null)
{
    public static DeadLetterFilter All { get; } = new();

    public bool IsEmpty => this == All;

    public bool Matches(DeadLetter deadLetter) =>
        (Queue is null || deadLetter.Queue == ErrorQueue(Queue)) &&
        (Reason is null || string.Equals(deadLetter.Reason, Reason, StringComparison.OrdinalIgnoreCase)) &&
        (EventName is null || string.Equals(deadLetter.EventName, EventName, StringComparison.Ordinal)) &&
        (Type is null || string.Equals(deadLetter.Type, Type, StringComparison.OrdinalIgnoreCase)) &&
        (MessageId is null || deadLetter.MessageId == MessageId) &&
        (Since is null || deadLetter.LastFailureAt >= Since) &&
        (Until is null || deadLetter.LastFailureAt < Until);

    /// <summary>A replay or purge of everything must say so (<c>all=true</c>, <c>--all</c>): an empty filter is never taken to mean it.</summary>
    /// <exception cref="OperatorException">The filter names nothing and <paramref name="all"/> is false.</exception>
    public void RequireScope(bool all, string operation)
    {
        if (IsEmpty && !all)
            throw new OperatorException(ExitCodes.Usage, $"Name what to {operation} (messageId, queue, reason, event, type, since, until) or pass all=true.");
    }

    /// <summary>The <c>_error</c> queue a <see cref="Queue"/> value names, with or without the suffix.</summary>
    public static string ErrorQueue(string queue) =>
        SegmentQueues.IsErrorQueue(queue) ? queue : SegmentQueues.ErrorQueueOf(queue);
}
