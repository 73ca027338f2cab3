using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumption;

/// <summary>
/// Asks the broker itself how many consumers each partition queue has, on a connection of its own. MassTransit's
/// ready and faulted events say what its receive transport believes; after a broker restart that belief can be stale
/// (an endpoint reported ready whose consumer is gone), and the broker's count is what decides whether events move.
/// </summary>
public sealed class BrokerConsumerProbe(IOptions<RabbitMqOptions> rabbitMq, ILogger<BrokerConsumerProbe> logger) : IAsyncDisposable
{
    IConnection? _connection;

    /// <summary>Each queue's consumer count, or null when the broker cannot be asked now.</summary>
    public async Task<IReadOnlyDictionary<string, uint>?> ConsumerCountsAsync(IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await new ConnectionFactory
            {
                Uri = rabbitMq.Value.ConnectionString,
                ClientProvidedName = $"segment-novu-worker-probe@{Environment.MachineName}:{Environment.ProcessId}",
                RequestedHeartbeat = TimeSpan.FromSeconds(5),
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            }.CreateConnectionAsync(cancellationToken);
            var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
            await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
            foreach (var queue in queues)
                counts[queue] = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).ConsumerCount;
            return counts;
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException
            or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            logger.LogDebug("Could not ask the broker for consumer counts: {Reason}", exception.Message);
            if (_connection is { IsOpen: false })
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
    }
}
