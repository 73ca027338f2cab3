namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>One page of the dead letters that match a filter, oldest first per queue.</summary>
/// <param name="Matching">How many dead letters match, over all pages.</param>
public sealed record DeadLetterPage(int Page, int PageSize, int Matching, IReadOnlyList<DeadLetter> Items);

/// <summary>Dead letters that failed the same way for the same event: what Hookdeck calls an issue.</summary>
public sealed record DeadLetterIssue(
    string Reason,
    string Type,
    string? EventName,
    int Count,
    int? LastHttpStatus,
    string? LastNovuMessage,
    DateTimeOffset? FirstFailureAt,
    DateTimeOffset? LastFailureAt);

/// <summary>What happened to one dead letter in a replay or purge.</summary>
/// <param name="Outcome"><c>replayed</c>, <c>purged</c>, <c>would-replay</c>, <c>would-purge</c> or <c>failed</c>.</param>
/// <param name="Target">The queue a replay sent it to.</param>
public sealed record MoveOutcome(string MessageId, string Queue, string? Target, string Outcome, string? Error = null);

/// <summary>The result of a replay or purge.</summary>
/// <param name="Operation"><c>replay</c> or <c>purge</c>.</param>
/// <param name="Matched">Dead letters that matched the filter.</param>
/// <param name="Done">Of those, how many were replayed or purged (0 on a dry run).</param>
/// <param name="Unread">Dead letters the queues held at the start that this run could not read, because another reader held them (absent when none).</param>
public sealed record MoveReport(string Operation, bool DryRun, int Matched, int Done, int Failed, IReadOnlyList<MoveOutcome> Messages, int? Unread = null);

/// <summary>How far a long replay or purge is: <see cref="Scanned"/> of <see cref="Total"/> dead letters looked at.</summary>
public readonly record struct MoveProgress(int Scanned, int Total, int Done);
