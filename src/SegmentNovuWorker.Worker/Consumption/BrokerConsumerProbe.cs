using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Consumption;

/// <summary>
/// Asks the broker itself how many consumers each partition queue has, on the worker's side connection (never the bus's).
/// MassTransit's ready and faulted events say what its receive transport believes; after a broker restart that belief can
/// be stale (an endpoint reported ready whose consumer is gone), and the broker's count is what decides whether events move.
/// </summary>
public sealed class BrokerConsumerProbe(SideConnection broker, ILogger<BrokerConsumerProbe> logger)
{
    /// <summary>Each queue's consumer count, or null when the broker cannot be asked now.</summary>
    public async Task<IReadOnlyDictionary<string, uint>?> ConsumerCountsAsync(IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            return await broker.WithChannelAsync<IReadOnlyDictionary<string, uint>>(async channel =>
            {
                var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
                foreach (var queue in queues)
                    counts[queue] = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).ConsumerCount;
                return counts;
            }, cancellationToken);
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException
            or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            logger.LogDebug("Could not ask the broker for consumer counts: {Reason}", exception.Message);
            return null;
        }
    }
}
