using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Gives a worker that joins its share of the partitions. Every worker subscribes to every partition queue; RabbitMQ's
/// single active consumer lets one of them consume each, and on RabbitMQ 3.x a healthy active consumer keeps its queue
/// forever. So a worker that consumes more than its share (partitions ÷ workers, rounded up) steps back from the excess,
/// through the owner of consumption: it finishes what it started there, closes the consumer's channel (the rest goes back
/// to the head of the queue, in order) and subscribes again at the back of the queue's line, handing the partition to the
/// next subscriber.
/// </summary>
/// <remarks>
/// A worker knows it is active on a partition only by receiving from it, so idle partitions are never handed over
/// (nothing to share there). No event of a user is in flight here while the next worker starts on that user's later
/// ones (<see cref="HandOverAsync"/>). Workers are counted as the consumers of <see cref="SegmentQueues.Workers"/>, where
/// each worker holds one.
/// </remarks>
public sealed class PartitionBalancer(
    IOptions<TopologyOptions> topology,
    IOptions<WorkerOptions> worker,
    SideConnection broker,
    PartitionLanes lanes,
    PartitionChannels channels,
    ConsumptionControl consumption,
    ILogger<PartitionBalancer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (worker.Value.BalanceInterval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(worker.Value.BalanceInterval);
        // The side connection this worker announced its presence on: a new one (the old was lost) announces again.
        IConnection? announced = null;
        try
        {
            do
            {
                try
                {
                    if (announced is not { IsOpen: true })
                    {
                        // Present only once every partition endpoint has subscribed: a worker counted before its consumers
                        // wait in the queues' lines makes the others step back with nobody behind them, and each queue goes
                        // straight back to them (seen under load: the joining worker got none in 40 s, partitions bouncing).
                        if (consumption.NotConsuming().Count > 0)
                            continue;
                        var connection = await broker.GetAsync(stoppingToken);
                        await AnnouncePresenceAsync(connection, stoppingToken);
                        announced = connection;
                    }
                    await BalanceAsync(announced, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning("Could not balance partitions this round: {Reason}", exception.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task BalanceAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var workers = await CountWorkersAsync(connection, cancellationToken);
        if (workers <= 1)
            return;
        var share = (int)Math.Ceiling(topology.Value.Partitions / (double)workers);
        var active = lanes.ActivePartitions;
        logger.LogDebug("{Workers} workers, a share of {Share}; this one consumed {Active} partitions", workers, share, active.Count);
        if (active.Count <= share)
            return;

        foreach (var queue in active.Reverse().Take(active.Count - share))
        {
            lanes.SteppedBack(queue);
            logger.LogInformation("Stepping back from {Queue}: {Workers} workers share {Partitions} partitions, {Share} each, and this one consumed {Active}",
                queue, workers, topology.Value.Partitions, share, active.Count);
            // The owner of consumption does it, and not while anything else (an outage, a refused account) holds it.
            await consumption.StepBack(queue, ct => HandOverAsync(queue, ct));
        }
    }

    /// <summary>
    /// Lets what started on <paramref name="queue"/> finish, starts nothing more, then closes the consumer's channel: the
    /// broker puts every delivery not yet done back at the head of the queue, in order, for the next consumer. A plain
    /// stop would cancel the consumer first and hand the queue over while this worker still runs its deliveries, so the
    /// next one could start a user's later events before this one finished its earlier ones.
    /// </summary>
    async Task HandOverAsync(string queue, CancellationToken cancellationToken)
    {
        var partition = lanes.For(queue);
        try
        {
            await partition.BeginHandoverAsync().WaitAsync(worker.Value.ConsumerStopTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Handing {Queue} over before its deliveries finished ({Timeout}); they go back to the queue", queue, worker.Value.ConsumerStopTimeout);
        }
        try
        {
            await channels.CloseAsync(queue, "handing the partition over to another worker", worker.Value.ConsumerStopTimeout, cancellationToken);
        }
        finally
        {
            partition.EndHandover();
        }
    }

    /// <summary>Holds a consumer on <see cref="SegmentQueues.Workers"/> for as long as this connection lives (its channel stays open).</summary>
    static async Task AnnouncePresenceAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(SegmentQueues.Workers, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.BasicConsumeAsync(SegmentQueues.Workers, autoAck: true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel), cancellationToken);
    }

    static async Task<int> CountWorkersAsync(IConnection connection, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return (int)await CountWorkersAsync(channel, cancellationToken);
    }

    /// <summary>
    /// How many workers announced themselves: the consumers of <see cref="SegmentQueues.Workers"/>; 0 before any worker
    /// declared it (the 404 closes <paramref name="channel"/>).
    /// </summary>
    internal static async Task<uint> CountWorkersAsync(IChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            return (await channel.QueueDeclarePassiveAsync(SegmentQueues.Workers, cancellationToken)).ConsumerCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }
}
