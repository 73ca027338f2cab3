using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker;

/// <summary>The <c>Worker</c> section.</summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string Section = "Worker";

    /// <summary>
    /// <c>Worker:Prefetch</c>, read by versions before <see cref="MaxHeld"/> (deliveries held per partition, 1000 of 16
    /// partitions). Bound only to refuse it: a deployment that still sets it would otherwise get 500 held, not what it
    /// asked for, without a word.
    /// </summary>
    public int? Prefetch { get; set; }

    /// <summary>
    /// <c>Worker:MaxHeld</c>: deliveries this worker holds at once over all partitions, whatever the backlog and however
    /// many partitions it consumes: each partition holds an equal share (<see cref="PrefetchOf"/>). A memory bound, not a
    /// concurrency (that is <see cref="MaxRunning"/>, and the Novu client's pacing). One user's burst keeps no more than
    /// <see cref="UserShare"/> of them: the rest of it waits in the user's hold queue, in the broker. Default 500 (31 a
    /// partition of 16): each held delivery costs about 60 KB of RSS while it waits, and more held does not drain faster.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxHeld { get; set; } = 500;

    /// <summary>
    /// <c>Worker:UserShare</c>: how many of one user's events a partition keeps waiting in the user's lane; past that the
    /// user's earliest waiting event leads the user's hold from the back of the partition queue and the rest move to the
    /// hold queue, in order, so that a burst does not fill the partition's held deliveries and keep its other users
    /// waiting behind it (<c>UserLaneFilter</c>). Default 8.
    /// </summary>
    [Range(1, 10_000)]
    public int UserShare { get; set; } = 8;

    /// <summary>The prefetch of each partition endpoint: an equal share of <see cref="MaxHeld"/>, at least one.</summary>
    public int PrefetchOf(int partitions) => Math.Max(1, MaxHeld / partitions);

    /// <summary>
    /// <c>Worker:MaxRunning</c>: deliveries this worker runs at once past their user's lane (deserialized, mapped, calling
    /// Novu or waiting for its rate limit or its gate), over all its partitions; the rest of what it holds waits its turn
    /// in arrival order. Bounds the worker's memory when <see cref="MaxHeld"/> is raised. Default 500, as many as are held:
    /// what waits for Novu's rate limit runs too, and the Novu client's bulk upserts gather only the identifies running
    /// at once (up to Novu's 500 a call, which is what makes a bulk call pay on a small plan's 20 configuration calls a
    /// second). A worker meant for more (Novu's enterprise trigger rate, say) raises both.
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Prefetch is { } prefetch)
            yield return new ValidationResult(
                $"{Section}:Prefetch is no longer read (got {prefetch}): a worker holds at most {Section}:MaxHeld deliveries over all its partitions (default 500). Remove {Section}:Prefetch and set {Section}:MaxHeld instead (the old {prefetch} a partition of 16 was {Section}:MaxHeld {(long)prefetch * 16}).",
                [nameof(Prefetch)]);
    }
}
