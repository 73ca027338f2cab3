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

    /// <summary>
    /// <c>Worker:BalanceInterval</c>: how often this worker compares the partitions it consumes with its fair share and
    /// hands the excess to the others (see <c>PartitionBalancer</c>). Zero turns balancing off. Default 2 s.
    /// </summary>
    public TimeSpan BalanceInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>Worker:AccountProbeInterval</c>: while Novu refuses the account (401, 402, 403) and consumption is paused, how
    /// often the worker asks Novu whether the account works again. Default 30 s.
    /// </summary>
    public TimeSpan AccountProbeInterval { get; set; } = TimeSpan.FromSeconds(30);
}
