using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Gives a worker that joins its share of the partitions. Every worker subscribes to every partition queue; RabbitMQ's
/// single active consumer lets one of them consume each, and on RabbitMQ 3.x a healthy active consumer keeps its queue
/// forever. So a worker that consumes more than its share (partitions ÷ workers, rounded up) steps back from the excess:
/// it stops and restarts those endpoints, which puts it at the back of the queue's line and hands the partition to the
/// next subscriber.
/// </summary>
/// <remarks>
/// A worker knows it is active on a partition only by receiving from it, so idle partitions are never handed over
/// (nothing to share there). It steps back only from a partition whose lanes are idle at that moment, so no event of a
/// user is in flight here while the next worker starts on that user's later ones. Workers are counted as the consumers
/// of <see cref="SegmentQueues.Workers"/>, where each worker holds one.
/// </remarks>
public sealed class PartitionBalancer(
    IOptions<TopologyOptions> topology,
    IOptions<WorkerOptions> worker,
    IOptions<RabbitMqOptions> rabbitMq,
    AccountPause accountPause,
    ILogger<PartitionBalancer> logger)
    : BackgroundService, IReceiveEndpointObserver
{
    readonly ConcurrentDictionary<string, IReceiveEndpoint> _endpoints = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, UserLanes> _lanes = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> _active = new(StringComparer.Ordinal);

    /// <summary>The partitions this worker has consumed from since it last subscribed to them.</summary>
    public IReadOnlyCollection<string> ActivePartitions => [.. _active.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The lanes of one partition endpoint; they tell the balancer when it is idle.</summary>
    public UserLanes LanesFor(string queue) => _lanes.GetOrAdd(queue, _ => new UserLanes());

    /// <summary>A message of <paramref name="queue"/> reached this worker: it is the partition's active consumer.</summary>
    public void Delivered(string queue) => _active[queue] = DateTimeOffset.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (worker.Value.BalanceInterval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(worker.Value.BalanceInterval);
        IConnection? connection = null;
        try
        {
            do
            {
                try
                {
                    if (connection is null)
                    {
                        connection = await new ConnectionFactory
                        {
                            Uri = rabbitMq.Value.ConnectionString,
                            ClientProvidedName = $"segment-novu-worker-presence@{Environment.MachineName}:{Environment.ProcessId}",
                            RequestedHeartbeat = TimeSpan.FromSeconds(5),
                        }.CreateConnectionAsync(rabbitMq.Value.Endpoints, stoppingToken);
                        await AnnouncePresenceAsync(connection, stoppingToken);
                    }
                    await BalanceAsync(connection, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning("Could not balance partitions this round: {Reason}", exception.Message);
                    if (connection is { IsOpen: false })
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync();
        }
    }

    async Task BalanceAsync(IConnection connection, CancellationToken cancellationToken)
    {
        if (accountPause.Current is not null)
            return; // restarting an endpoint now would undo the pause
        var workers = await CountWorkersAsync(connection, cancellationToken);
        if (workers <= 1)
            return;
        var share = (int)Math.Ceiling(topology.Value.Partitions / (double)workers);
        var active = ActivePartitions;
        logger.LogDebug("{Workers} workers, a share of {Share}; this one consumed {Active} partitions, knows {Endpoints} endpoints",
            workers, share, active.Count, _endpoints.Count);
        if (active.Count <= share)
            return;

        foreach (var queue in active.Reverse().Take(active.Count - share))
        {
            if (!_endpoints.TryGetValue(queue, out var endpoint) || LanesFor(queue).ActiveUsers > 0)
                continue;
            _active.TryRemove(queue, out _);
            logger.LogInformation("Stepping back from {Queue}: {Workers} workers share {Partitions} partitions, {Share} each, and this one consumed {Active}",
                queue, workers, topology.Value.Partitions, share, active.Count);
            await endpoint.Stop(cancellationToken);
            await endpoint.Start(cancellationToken).Ready;
        }
    }

    /// <summary>Holds a consumer on <see cref="SegmentQueues.Workers"/> for as long as this connection lives.</summary>
    static async Task AnnouncePresenceAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(SegmentQueues.Workers, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.BasicConsumeAsync(SegmentQueues.Workers, autoAck: true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel), cancellationToken);
    }

    static async Task<int> CountWorkersAsync(IConnection connection, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return (int)(await channel.QueueDeclarePassiveAsync(SegmentQueues.Workers, cancellationToken)).ConsumerCount;
    }

    public Task Ready(ReceiveEndpointReady ready)
    {
        _endpoints[UserLaneFilter.QueueOf(ready.InputAddress)] = ready.ReceiveEndpoint;
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
