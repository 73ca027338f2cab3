using System.Collections.Concurrent;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>The <see cref="UserLanes"/> of each partition endpoint of this worker, and which partitions it has received from.</summary>
public sealed class PartitionLanes(PartitionChannels channels)
{
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
