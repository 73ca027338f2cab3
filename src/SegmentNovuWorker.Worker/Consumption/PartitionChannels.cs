using System.Runtime.CompilerServices;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Worker.Consumption;

/// <summary>
/// The RabbitMQ channels each partition's deliveries came on, and which of them this worker has retired (handed over or
/// closed): nothing of a retired channel starts any more, since its deliveries go back to the queue when it closes.
/// Closing every channel of a partition is how a stop cut short, a handover and a recovery end for certain: the broker
/// puts every delivery of a closed channel not yet settled back at the head of the queue, in order.
/// </summary>
public sealed class PartitionChannels
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    readonly ConditionalWeakTable<object, object?> _retired = [];
    readonly ConditionalWeakTable<object, CancellationTokenSource> _released = [];

    sealed class Partition
    {
        public IChannel? Latest;
        /// <summary>Every channel deliveries came on that may still be open: a stop cut short can leave an older one alive.</summary>
        public readonly HashSet<IChannel> Open = [];
    }

    /// <summary>A delivery of <paramref name="queue"/> came on <paramref name="channel"/>.</summary>
    public void Seen(string queue, IChannel channel)
    {
        lock (_gate)
        {
            var partition = PartitionOf(queue);
            if (ReferenceEquals(partition.Latest, channel))
                return;
            partition.Latest = channel;
            partition.Open.RemoveWhere(c => c.IsClosed);
            partition.Open.Add(channel);
        }
    }

    /// <summary>Was <paramref name="channel"/> retired by this worker? Nothing of it may start.</summary>
    public bool IsRetired(object? channel)
    {
        if (channel is null)
            return false;
        lock (_gate)
            return _retired.TryGetValue(channel, out _);
    }

    /// <summary>
    /// Cancelled once this worker has closed <paramref name="channel"/>: what still waits of its deliveries (for its turn,
    /// for an earlier tag that will never come) gives up then, since the broker has given all of them back. Not sooner: a
    /// delivery giving up while MassTransit's own stop cancels its pending ones has crashed MassTransit 8.5 (a race in
    /// <c>PendingReceiveLockContext.Cancel</c>); the closes here come after that stop's timeout, or with no stop at all.
    /// </summary>
    public CancellationToken ReleasedWith(object? channel)
    {
        if (channel is null)
            return CancellationToken.None;
        lock (_gate)
            return _released.GetValue(channel, _ => new CancellationTokenSource()).Token;
    }

    /// <summary>Retires the channel the latest delivery of <paramref name="queue"/> came on (a handover begins).</summary>
    public void RetireLatest(string queue)
    {
        lock (_gate)
        {
            if (PartitionOf(queue).Latest is { } latest)
                _retired.AddOrUpdate(latest, null);
        }
    }

    /// <summary>
    /// Closes every channel of <paramref name="queue"/> still open (abort: no waiting for their operations), so the broker
    /// puts every delivery of them not yet settled back in the queue, in place, ahead of the rest; nothing of those channels
    /// starts here any more. Waits at most <paramref name="wait"/> per channel: the client's close also waits for the
    /// channel's running deliveries to return, and the broker has given their messages back by then anyway.
    /// </summary>
    public async Task CloseAsync(string queue, string why, TimeSpan wait, CancellationToken cancellationToken)
    {
        List<IChannel> open;
        lock (_gate)
        {
            var partition = PartitionOf(queue);
            open = [.. partition.Open.Where(c => c.IsOpen)];
            // Those the broker already closed (a lost connection) are done with too: what waits of them is released now.
            foreach (var closed in partition.Open.Where(c => !c.IsOpen))
            {
                _retired.AddOrUpdate(closed, null);
                if (_released.TryGetValue(closed, out var released))
                    released.Cancel();
            }
            partition.Open.Clear();
            foreach (var channel in open)
                _retired.AddOrUpdate(channel, null);
        }
        await Task.WhenAll(open.Select(async channel =>
        {
            try
            {
                await channel.CloseAsync(Constants.ReplySuccess, why, abort: true, cancellationToken).WaitAsync(wait, cancellationToken);
                Release(channel);
            }
            catch (TimeoutException)
            {
                // closed on the broker's side; what still runs of it ends on its own (its settlements fail, harmlessly)
                Release(channel);
            }
            catch (ObjectDisposedException)
            {
                // closed and disposed meanwhile: nothing of it is left to give back
                Release(channel);
            }
        }));
    }

    void Release(IChannel channel)
    {
        CancellationTokenSource? released;
        lock (_gate)
            _released.TryGetValue(channel, out released);
        released?.Cancel();
    }

    Partition PartitionOf(string queue)
    {
        if (!_partitions.TryGetValue(queue, out var partition))
            _partitions[queue] = partition = new Partition();
        return partition;
    }
}
