using System.Runtime.CompilerServices;
using RabbitMQ.Client;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>
/// Reads dead letters without removing them, one at a time: the caller gets each as it is read, so what this process
/// holds is what the caller keeps (a page, a line being written), never the queue.
/// </summary>
/// <remarks>
/// AMQP has no "peek", so each <c>_error</c> queue is read with <c>basic.get</c> without acknowledging, on a channel
/// of its own, up to the number of messages it held when reading began (so messages arriving meanwhile do not make
/// it read forever). Closing the channel hands every message back: the <c>_error</c> queues are quorum queues, which
/// serve returned messages first, in the order they were returned, so the queue's order is kept. Each read counts as a
/// return: it raises the <c>x-delivery-count</c> header (a replay drops it) and would count toward a delivery limit,
/// which is why the <c>_error</c> queues are declared with none (<see cref="Messaging.QueueArguments.DeadLetters(Messaging.DeadLetterQueueOptions)"/>).
/// While a read runs the messages are unacked (invisible to anything else reading the queue, and held by the broker,
/// which bounds them: <c>RabbitMq:DeadLetterQueues:MaxLength</c>); nothing consumes an <c>_error</c> queue, so that does
/// not matter.
/// </remarks>
sealed class DeadLetterBrowser(BrokerConnector connector)
{
    public async IAsyncEnumerable<DeadLetterDetail> ReadAsync(DeadLetterFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await connector.ConnectAsync(cancellationToken);
        foreach (var (queue, count) in await ErrorQueues.InScopeAsync(connection, connector.Settings, filter, cancellationToken))
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            for (var i = 0; i < count; i++)
            {
                var message = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (message is null)
                    break;
                var detail = DeadLetterParser.Parse(queue, message.BasicProperties, message.Body);
                if (filter.Matches(detail.DeadLetter))
                    yield return detail;
            }
            await channel.CloseAsync(cancellationToken); // requeues everything read, in place
        }
    }
}
