using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Admin.DeliveryLog;

/// <summary>
/// Follows the delivery log's stream into <see cref="DeliveryLogIndex"/>: from where the index stopped (from the stream's
/// start for a new or lost index), for as long as the process runs, reconnecting when the broker goes away.
/// </summary>
public sealed class DeliveryLogIndexer(DeliveryLogIndex index, BrokerConnector broker, IOptions<DeliveryLogOptions> options, TimeProvider clock,
    ILogger<DeliveryLogIndexer> logger) : BackgroundService
{
    /// <summary>How often the index forgets what fell out of the retention.</summary>
    static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    DateTimeOffset _nextPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!warned)
                    logger.LogWarning("Delivery log index: lost {Stream} ({Reason}); searches answer what was indexed until it is read again",
                        DeliveryLogStream.Name, ex.Message);
                warned = true;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    void PruneWhenDue(bool force = false)
    {
        var now = clock.GetUtcNow();
        if (!force && now < _nextPrune)
            return;
        _nextPrune = now + PruneEvery;
        index.Prune(now - options.Value.Retention);
    }

    async Task FollowAsync(CancellationToken stoppingToken)
    {
        await using var connection = await broker.ConnectAsync(stoppingToken);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetException(new IOException(args.ReplyText));
            return Task.CompletedTask;
        };
        await DeliveryLogStream.EnsureDeclaredAsync(connection, options.Value, stoppingToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await channel.BasicQosAsync(0, 200, false, stoppingToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var offset = DeliveryLogStream.OffsetOf(delivery.BasicProperties);
            index.Add(offset, DeliveryLogStream.Deserialize(delivery.Body.Span, offset));
            PruneWhenDue();
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        var next = index.NextOffset;
        logger.LogInformation("Delivery log index: reading {Stream} from {Offset}", DeliveryLogStream.Name, next?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "its start");
        PruneWhenDue(force: true);
        await channel.BasicConsumeAsync(DeliveryLogStream.Name, autoAck: false, consumerTag: "", noLocal: false, exclusive: false,
            new Dictionary<string, object?> { ["x-stream-offset"] = next is { } n ? n : "first" }, consumer, stoppingToken);
        await closed.Task.WaitAsync(stoppingToken);
    }
}
