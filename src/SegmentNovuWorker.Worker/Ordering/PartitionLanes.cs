using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// The <see cref="UserLanes"/> of each partition endpoint of this worker, which partitions it has received from, and the
/// one budget of deliveries that run at once, shared by all of them.
/// </summary>
public sealed class PartitionLanes(PartitionChannels channels, IOptions<WorkerOptions> options)
{
    // FIFO over every partition, unbounded queue: a delivery waits its turn here, never is refused.
    readonly ConcurrencyLimiter _running = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxRunning,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// Waits for one of the <see cref="WorkerOptions.MaxRunning"/> slots of deliveries running past their lane
    /// (deserialized, mapped, calling Novu), held until the lease is disposed. A delivery held but not running costs its
    /// message; a running one costs its whole pipeline and an HTTP call: without this bound, a backlog of many users
    /// runs every one it holds (<see cref="WorkerOptions.MaxHeld"/>) at once.
    /// </summary>
    public async ValueTask<RateLimitLease> RunSlotAsync(CancellationToken cancellationToken)
    {
        var lease = await _running.AcquireAsync(1, cancellationToken);
        return lease.IsAcquired ? lease : throw new InvalidOperationException("The running-deliveries budget refused a delivery.");
    }

    readonly ConcurrentDictionary<string, UserLanes> _lanes = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> _active = new(StringComparer.Ordinal);

    public UserLanes For(string queue) => _lanes.GetOrAdd(queue, q => new UserLanes(q, channels));

    /// <summary>A message of <paramref name="queue"/> reached this worker: it is the partition's active consumer.</summary>
    public void Delivered(string queue)
    {
        var now = DateTimeOffset.UtcNow;
        if (_active.TryAdd(queue, now))
            Activated?.Invoke(queue);
        else
            _active[queue] = now;
    }

    /// <summary>This worker became the active consumer of a partition (at its start, or by taking it over).</summary>
    public event Action<string>? Activated;

    /// <summary>The partitions this worker has consumed from since it last subscribed to them.</summary>
    public IReadOnlyCollection<string> ActivePartitions => [.. _active.Keys.Order(StringComparer.Ordinal)];

    /// <summary>This worker stepped back from <paramref name="queue"/>: it is no longer its active consumer.</summary>
    public void SteppedBack(string queue) => _active.TryRemove(queue, out _);
}
