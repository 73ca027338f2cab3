using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker;

/// <summary>The <c>Worker</c> section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// <c>Worker:Concurrency</c>: messages each partition this worker consumes takes from the broker and runs at once,
    /// different users side by side (a user's own events always run one at a time, in order). Default 16.
    /// </summary>
    [Range(1, 1000)]
    public int Concurrency { get; set; } = 16;
}
