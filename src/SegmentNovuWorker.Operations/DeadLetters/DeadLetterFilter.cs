using SegmentNovuWorker.Messaging;

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

    /// <summary>The <c>_error</c> queue a <see cref="Queue"/> value names, with or without the suffix.</summary>
    public static string ErrorQueue(string queue) =>
        SegmentQueues.IsErrorQueue(queue) ? queue : SegmentQueues.ErrorQueueOf(queue);
}
