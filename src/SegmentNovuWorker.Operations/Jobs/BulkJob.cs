using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Operations.Jobs;

/// <summary>Where a bulk job is. <see cref="Running"/> and <see cref="Cancelling"/> are the only states a job leaves.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Running,
    Cancelling,
    Cancelled,
    Completed,
    Failed,
}

/// <summary>A replay or purge of every dead letter matching a filter, run in the background with its progress kept.</summary>
/// <param name="Operation"><c>replay</c> or <c>purge</c>.</param>
/// <param name="StartedBy">The operator whose key started it; <see cref="CancelledBy"/> likewise.</param>
/// <param name="Total">Dead letters in the queues it looked at when it started (matching or not).</param>
/// <param name="Scanned">Of those, how many it has looked at.</param>
/// <param name="Done">Replayed or purged so far.</param>
/// <param name="Failed">Could not be replayed (each with its reason in the results).</param>
/// <param name="Runs">How many times a process ran it: more than one when it was resumed after a restart.</param>
/// <param name="Rate">At most this many messages per second (so a replay does not flood Novu); null for as fast as the broker confirms.</param>
public sealed record BulkJob(
    string Id,
    string Operation,
    DeadLetterFilter Filter,
    string StartedBy,
    DateTimeOffset StartedAt,
    JobState State,
    int Total = 0,
    int Scanned = 0,
    int Done = 0,
    int Failed = 0,
    int Runs = 1,
    DateTimeOffset? FinishedAt = null,
    string? CancelledBy = null,
    string? Error = null,
    double? Rate = null)
{
    public bool IsFinished => State is JobState.Cancelled or JobState.Completed or JobState.Failed;

    /// <summary>Scanned of total, 0 to 100; 100 once finished.</summary>
    public int Percent => IsFinished ? 100 : Total == 0 ? 0 : Math.Min(100, Scanned * 100 / Total);
}
