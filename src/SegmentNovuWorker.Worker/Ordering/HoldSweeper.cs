using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Finds holds whose head is in flight nowhere and hands their lead on, so that no hold keeps its user's events for good.
/// Runs at the worker's start, when it takes a partition over, and every <see cref="WorkerOptions.HoldSweepInterval"/>,
/// on the partitions it consumes.
/// </summary>
/// <remarks>
/// <para>
/// A head is always somewhere the partition's consumer can account for: in a wait queue until the time its hold record
/// says (<see cref="HoldQueues.HoldAsync"/>), then in the partition queue, then in this worker's lanes, until it is done
/// and hands the lead on. RabbitMQ can take it out of that path unseen: dead-lettered at the delivery limit (when even
/// the worker's own settling of a last hand-out did not run, <c>Failures/DeliveryLimitFilter</c>), or removed by hand.
/// So a hold is swept when its head is past due, the partition queue has nothing ready (a ready message could be the
/// head; with a single active consumer, nothing else of the queue is anywhere but in this worker's lanes), and no event
/// of its user is in the lanes, twice, one sweep apart (a delivery between the broker and the lanes is there for a
/// moment, not for an interval).
/// </para>
/// <para>
/// Written by hand: RabbitMQ has no way to list queues over AMQP, and the management API is not the worker's to use (no
/// URL, no plugin required). Every step of a head is recorded in the partition's hold registry
/// (<see cref="SegmentQueues.HoldRegistryOf"/>), read here with <c>basic.get</c>: records of released holds and all but
/// the latest of each hold are acknowledged (dropped), the rest given back when the channel closes.
/// </para>
/// </remarks>
public sealed class HoldSweeper(
    IOptions<TopologyOptions> topology,
    IOptions<WorkerOptions> worker,
    SideConnection broker,
    PartitionLanes lanes,
    HoldQueues holds,
    TimeProvider time,
    ILogger<HoldSweeper> logger) : BackgroundService
{
    /// <summary>At most this many records are read per partition and sweep, so a sweep's memory stays small.</summary>
    const int MaxRecordsPerSweep = 10_000;

    readonly Channel<string?> _wake = Channel.CreateUnbounded<string?>();
    // Holds found with no head in flight, and when: swept only when still so a sweep later.
    readonly Dictionary<string, DateTimeOffset> _suspects = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = worker.Value.HoldSweepInterval;
        if (interval <= TimeSpan.Zero)
            return;
        lanes.Activated += queue => _wake.Writer.TryWrite(queue);
        _ = TickAsync(interval, stoppingToken);
        try
        {
            _wake.Writer.TryWrite(null); // at start: every partition this worker may consume
            await foreach (var queue in _wake.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(queue, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning("Could not sweep the holds this round: {Reason}", exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task TickAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                _wake.Writer.TryWrite(null);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sweeps <paramref name="queue"/>, or (null) every partition this worker consumes.</summary>
    async Task SweepAsync(string? queue, CancellationToken cancellationToken)
    {
        var connection = await broker.GetAsync(cancellationToken);
        foreach (var partition in queue is null ? await ConsumedPartitionsAsync(connection, cancellationToken) : [queue])
            await SweepPartitionAsync(connection, partition, cancellationToken);
    }

    /// <summary>
    /// The partitions this worker has received from; all of them when it is the only worker (it then consumes every one,
    /// idle ones included, where an orphaned hold may sit with nothing else arriving).
    /// </summary>
    async Task<IReadOnlyCollection<string>> ConsumedPartitionsAsync(IConnection connection, CancellationToken cancellationToken)
    {
        // Counted only once the balancer announces this worker (every partition subscribed): before that, and with
        // balancing off, the partitions it has received from.
        if (worker.Value.BalanceInterval > TimeSpan.Zero
            && await broker.WithChannelAsync(channel => PartitionBalancer.CountWorkersAsync(channel, cancellationToken), cancellationToken) == 1)
            return [.. topology.Value.All.Select(SegmentQueues.PartitionQueue)];
        return lanes.ActivePartitions;
    }

    async Task SweepPartitionAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var registry = SegmentQueues.HoldRegistryOf(queue);
        await holds.EnsureRegistryAsync(channel, registry);
        var records = new List<(ulong Tag, string UserHash, DateTimeOffset Due)>();
        while (records.Count < MaxRecordsPerSweep && await channel.BasicGetAsync(registry, autoAck: false, cancellationToken) is { } record)
            records.Add((record.DeliveryTag, record.BasicProperties.MessageId ?? "", DateTimeOffset.FromUnixTimeSeconds(record.BasicProperties.Timestamp.UnixTime)));
        if (records.Count == 0)
            return;

        // Anything ready in the partition may be a head on its way: nothing of this partition is judged this round.
        var readyInPartition = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount > 0;
        var now = time.GetUtcNow();
        var partitionLanes = lanes.For(queue);
        foreach (var hold in records.GroupBy(r => r.UserHash))
        {
            var latest = hold.MaxBy(r => (r.Due, r.Tag));
            foreach (var older in hold.Where(r => r.Tag != latest.Tag))
                await channel.BasicAckAsync(older.Tag, multiple: false, cancellationToken);
            if (!await holds.ExistsAsync(connection, hold.Key, cancellationToken))
            {
                await channel.BasicAckAsync(latest.Tag, multiple: false, cancellationToken); // released: nothing to sweep
                _suspects.Remove(hold.Key);
                continue;
            }
            if (readyInPartition || latest.Due > now - worker.Value.HoldSweepInterval || partitionLanes.HasInFlight(hold.Key))
            {
                _suspects.Remove(hold.Key);
                continue;
            }
            if (!_suspects.TryGetValue(hold.Key, out var since) || now - since < worker.Value.HoldSweepInterval)
            {
                _suspects.TryAdd(hold.Key, now);
                continue;
            }

            logger.LogWarning("The hold of user {UserHash} has had no head in flight since {Since} (due in {Queue} at {Due}): its next event leads now",
                hold.Key, since, queue, latest.Due);
            _suspects.Remove(hold.Key);
            await channel.BasicAckAsync(latest.Tag, multiple: false, cancellationToken);
            await holds.ReleaseNextAsync(connection, hold.Key, queue, cancellationToken);
        }
        await channel.CloseAsync(cancellationToken); // the records kept go back to the registry
    }
}
