using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker;

/// <summary>The <c>Worker</c> section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// <c>Worker:Prefetch</c>: deliveries each partition this worker consumes holds at once, for many users side by side
    /// (a user's own events always run one at a time, in order, so a user's waiting events sit in these slots). A memory
    /// bound, not a concurrency: how many Novu calls run at once follows from Novu's rate and latency, in the Novu client.
    /// Large, so that one user's burst or a user in retry fills only part of it. Default 1000.
    /// </summary>
    [Range(1, 5000)]
    public int Prefetch { get; set; } = 1000;

    /// <summary>
    /// <c>Worker:MaxRunning</c>: deliveries this worker runs at once past their user's lane (deserialized, mapped, calling
    /// Novu or waiting for its rate limit or its gate), over all its partitions; the rest of what it holds waits its turn
    /// in arrival order. Bounds the worker's memory under a backlog of many users. Default 500.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxRunning { get; set; } = 500;

    /// <summary>
    /// <c>Worker:BalanceInterval</c>: how often this worker compares the partitions it consumes with its fair share and
    /// hands the excess to the others (see <c>PartitionBalancer</c>). Zero turns balancing off. Default 2 s.
    /// </summary>
    public TimeSpan BalanceInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>Worker:HoldSweepInterval</c>: how often this worker looks for holds whose head is in flight nowhere, in the
    /// partitions it consumes (see <c>HoldSweeper</c>); also how long a head must be past due, and a hold found so, before it
    /// is swept. Zero turns the sweep off. Default 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan HoldSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <c>Worker:AccountProbeInterval</c>: while Novu refuses the account (401, 402, 403) and deliveries wait at the Novu
    /// gate, how often the worker asks Novu whether the account works again. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AccountProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Worker:NovuPauseLimit</c>: how long a delivery may be held while Novu is down or refuses the account, counted
    /// from when the worker received it, before it is parked for delayed redelivery in its user's order (without counting
    /// as a redelivery). It must stay under the broker's <c>consumer_timeout</c> (30 min by default), which closes a
    /// channel whose delivery stays unacknowledged longer. Default 20 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:25:00")]
    public TimeSpan NovuPauseLimit { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// <c>Worker:ConsumerRecovery</c>: a partition endpoint that should consume but has had no consumer on the broker this
    /// long (after a broker restart, say, when MassTransit's own reconnect gave up or is stuck) is restarted. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ConsumerRecovery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>Worker:UnconsumedAlarm</c>: past this without a consumer, such a partition makes <c>/health/ready</c> unhealthy
    /// and is named in a warning. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UnconsumedAlarm { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Worker:ConsumerStopTimeout</c>: how long stopping an endpoint waits for its deliveries before cancelling them. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConsumerStopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the owner of consumption looks for partitions that should consume and do not. 1 s.</summary>
    public TimeSpan ConsumptionWatchInterval { get; set; } = TimeSpan.FromSeconds(1);
}
