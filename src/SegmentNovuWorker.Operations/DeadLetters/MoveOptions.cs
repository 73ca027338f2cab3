namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>How a replay or purge runs.</summary>
/// <param name="DryRun">Only report what would move; nothing is published or removed.</param>
/// <param name="Rate">At most this many messages per second; null for as fast as the broker confirms.</param>
/// <param name="Export">Purge only: each purged dead letter is written here as an NDJSON line before it is removed.</param>
/// <param name="Outcome">Told each message's outcome as it happens (a job records them one by one, so a crash loses none).</param>
/// <param name="By">Who replays: recorded in the delivery log with each replayed event.</param>
/// <param name="Skip">Messages (by Segment messageId) to leave where they are, as if they did not match: those a job already handled.</param>
public sealed record MoveOptions(
    bool DryRun = false,
    double? Rate = null,
    TextWriter? Export = null,
    IProgress<MoveProgress>? Progress = null,
    Action<MoveOutcome>? Outcome = null,
    Func<string, bool>? Skip = null,
    string? By = null);
