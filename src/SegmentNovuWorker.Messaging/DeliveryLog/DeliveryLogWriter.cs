using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Messaging.DeliveryLog;

/// <summary>Records a step of an event; never blocks, never throws.</summary>
public interface IDeliveryLog
{
    void Record(DeliveryStep step);
}

/// <summary>
/// Off the hot path: <see cref="Record"/> only puts the step in a bounded buffer (dropped and counted when full); this
/// service publishes what has gathered as one stream message at a time, on a connection of its own. A lost step (broker
/// away, buffer full, process killed) never fails or delays an event; a stopping process publishes what it still holds.
/// </summary>
public sealed class DeliveryLogWriter : BackgroundService, IDeliveryLog
{
    const int MaxBatch = 500;
    readonly DeliveryLogOptions _options;
    readonly RabbitMqOptions _rabbitMq;
    readonly BrokerConnections _connections;
    readonly SegmentNovuMetrics _metrics;
    readonly ILogger<DeliveryLogWriter> _logger;
    readonly Channel<DeliveryStep> _buffer;
    readonly string _name;
    /// <summary>This process, as its steps name it (<see cref="DeliveryStep.By"/>): <c>worker@host:pid</c>, <c>ingest@host:pid</c>.</summary>
    readonly string _recordedBy;

    public DeliveryLogWriter(IOptions<DeliveryLogOptions> options, IOptions<RabbitMqOptions> rabbitMq, BrokerConnections connections,
        SegmentNovuMetrics metrics, ILogger<DeliveryLogWriter> logger, string processName)
    {
        _connections = connections;
        _options = options.Value;
        _rabbitMq = rabbitMq.Value;
        _metrics = metrics;
        _logger = logger;
        _name = processName;
        _recordedBy = $"{processName}@{Environment.MachineName}:{Environment.ProcessId}";
        _buffer = Channel.CreateBounded<DeliveryStep>(
            new BoundedChannelOptions(_options.BufferSize) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => _metrics.DeliveryLogSteps("dropped", 1));
    }

    public void Record(DeliveryStep step)
    {
        if (_options.Enabled)
            _buffer.Writer.TryWrite(step.By is null ? step with { By = _recordedBy } : step);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
            return;
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _connections.OpenAsync($"segment-novu-{_name}-delivery-log", stoppingToken);
                await DeliveryLogStream.EnsureDeclaredAsync(connection, _options, stoppingToken);
                await using var channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
                if (warned)
                    _logger.LogInformation("Delivery log: publishing to {Stream} again", DeliveryLogStream.Name);
                warned = false;
                await PublishUntilStoppedAsync(channel, stoppingToken);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (!warned)
                    _logger.LogWarning("Delivery log: cannot publish to {Stream} on {Broker} ({Reason}); steps are dropped until it can, events are not affected",
                        DeliveryLogStream.Name, _rabbitMq.Redacted, ex.Message);
                warned = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task PublishUntilStoppedAsync(IChannel channel, CancellationToken stoppingToken)
    {
        var batch = new List<DeliveryStep>(MaxBatch);
        try
        {
            while (await _buffer.Reader.WaitToReadAsync(stoppingToken))
                await PublishBatchAsync(channel, batch, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was recorded before the stop is still published, for a few seconds at most.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (_buffer.Reader.TryPeek(out _) && !last.IsCancellationRequested)
                await PublishBatchAsync(channel, batch, last.Token);
        }
    }

    async Task PublishBatchAsync(IChannel channel, List<DeliveryStep> batch, CancellationToken cancellationToken)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && _buffer.Reader.TryRead(out var step))
            batch.Add(step);
        if (batch.Count == 0)
            return;
        var body = DeliveryLogStream.Serialize(batch);
        try
        {
            await channel.BasicPublishAsync("", DeliveryLogStream.Name, mandatory: false, body, cancellationToken);
        }
        catch (Exception)
        {
            _metrics.DeliveryLogSteps("dropped", batch.Count);
            throw;
        }
        _metrics.DeliveryLogSteps("published", batch.Count);
        _metrics.DeliveryLogBytes(body.Length);
    }
}
