using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>The <c>_error</c> queues an operation looks at, with how many messages each held when it started.</summary>
static class ErrorQueues
{
    /// <summary>The <c>_error</c> queue of every partition endpoint of the worker.</summary>
    static IEnumerable<string> Known(BrokerSettings settings) =>
        Enumerable.Range(0, settings.Partitions).Select(p => SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(p)));

    /// <summary>
    /// The filter's queue (which must exist), or every known <c>_error</c> queue that exists: one that does not
    /// exist yet simply has never held a dead letter.
    /// </summary>
    public static async Task<IReadOnlyList<(string Queue, int Count)>> InScopeAsync(
        IConnection connection, BrokerSettings settings, DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        var result = new List<(string, int)>();
        if (filter.Queue is { } named)
        {
            var queue = DeadLetterFilter.ErrorQueue(named);
            var ok = await BrokerConnector.PeekQueueAsync(connection, queue, cancellationToken)
                ?? throw OperatorException.QueueMissing(queue, settings.VirtualHost);
            result.Add((queue, (int)ok.MessageCount));
            return result;
        }
        foreach (var queue in Known(settings))
        {
            if (await BrokerConnector.PeekQueueAsync(connection, queue, cancellationToken) is { } ok)
                result.Add((queue, (int)ok.MessageCount));
        }
        return result;
    }
}
