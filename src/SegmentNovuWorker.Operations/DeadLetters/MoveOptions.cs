namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>How a replay or purge runs.</summary>
/// <param name="DryRun">Only report what would move; nothing is published or removed.</param>
/// <param name="Rate">At most this many messages per second; null for as fast as the broker confirms.</param>
/// <param name="Export">Purge only: each purged dead letter is written here as an NDJSON line before it is removed.</param>
public sealed record MoveOptions(bool DryRun = false, double? Rate = null, TextWriter? Export = null, IProgress<MoveProgress>? Progress = null);
