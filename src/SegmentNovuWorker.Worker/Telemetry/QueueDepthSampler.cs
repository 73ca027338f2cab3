using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Worker.Telemetry;

/// <summary>
/// Samples the depth and consumers of every partition queue and its <c>_error</c> queue for the
/// <c>segment_novu.queue.*</c> gauges (consumer lag, <c>_error</c> growing or near its bound, a partition without a consumer).
/// </summary>
/// <remarks>
/// AMQP passive declares, not the management API: the worker already has the broker's AMQP address and credentials, and
/// needs no management URL or plugin for it. Every worker samples the same queues: aggregate with <c>max by
/// (queue)</c>. A gauge callback must not block, so the sample is taken in the background and the gauge reads the last one.
/// </remarks>
public sealed class QueueDepthSampler(
    SegmentNovuMetrics metrics,
    SideConnection broker,
    IOptions<RabbitMqOptions> rabbitMq,
    IOptions<TopologyOptions> topology,
    IOptions<DeadLetterQueueOptions> deadLetters,
    ILogger<QueueDepthSampler> logger) : BackgroundService
{
    /// <summary>About one Prometheus scrape interval: a finer sample would not be seen.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    volatile IReadOnlyList<QueueSample> _last = [];

    // _error queues not declared yet: each passive declare of one costs a channel error in the broker's log, so they
    // are asked about once a minute, not at every sample.
    readonly HashSet<string> _missing = [];
    int _round;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveQueues(() => _last);
        var queues = topology.Value.All
            .SelectMany(p => new[] { SegmentQueues.PartitionQueue(p), SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(p)) })
            .ToArray();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // The worker's one side connection, shared with the owner of consumption's probe and the balancer.
                    _last = await SampleAsync(await broker.GetAsync(stoppingToken), queues, recheckMissing: _round++ % 4 == 0, stoppingToken);
                }
                catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException)
                {
                    // Stale depths would hide the outage: report none until the broker answers again.
                    _last = [];
                    logger.LogDebug(ex, "Could not sample the queue depths at {Broker}", rabbitMq.Value.Redacted);
                }
                await Task.Delay(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task<IReadOnlyList<QueueSample>> SampleAsync(IConnection connection, string[] queues, bool recheckMissing, CancellationToken cancellationToken)
    {
        var samples = new List<QueueSample>(queues.Length);
        IChannel? channel = null;
        try
        {
            foreach (var queue in queues)
            {
                channel ??= await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                var partition = SegmentQueues.PartitionOf(queue)?.ToString("00", System.Globalization.CultureInfo.InvariantCulture) ?? "";
                long? bound = SegmentQueues.IsErrorQueue(queue) ? deadLetters.Value.MaxLength : null;
                if (!recheckMissing && _missing.Contains(queue))
                {
                    samples.Add(new QueueSample(queue, partition, 0, 0, bound));
                    continue;
                }
                try
                {
                    var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                    _missing.Remove(queue);
                    samples.Add(new QueueSample(queue, partition, ok.MessageCount, ok.ConsumerCount, bound));
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                {
                    // An _error queue exists only once something failed: none yet is an empty one. The 404 closed the channel.
                    _missing.Add(queue);
                    samples.Add(new QueueSample(queue, partition, 0, 0, bound));
                    await channel.DisposeAsync();
                    channel = null;
                }
            }
            return samples;
        }
        finally
        {
            if (channel is not null)
                await channel.DisposeAsync();
        }
    }
}
