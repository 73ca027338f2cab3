using RabbitMQ.Client;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>
/// Reads dead letters without removing them.
/// </summary>
/// <remarks>
/// AMQP has no "peek", so each <c>_error</c> queue is read with <c>basic.get</c> without acknowledging, on a channel
/// of its own, up to the number of messages it held when reading began (so messages arriving meanwhile do not make
/// it read forever). Closing the channel hands every message back: RabbitMQ requeues them at their original
/// position, so the queue's order is kept. While a read runs the messages are unacked (invisible to anything else
/// reading the queue) and afterwards carry the <c>redelivered</c> flag; nothing consumes an <c>_error</c> queue, so
/// neither matters. A read holds the queue's messages in memory: fine for thousands, not for millions.
/// </remarks>
sealed class DeadLetterBrowser(BrokerConnector connector)
{
    public async Task<List<DeadLetterDetail>> ReadAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await connector.ConnectAsync(cancellationToken);
        var result = new List<DeadLetterDetail>();
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
                    result.Add(detail);
            }
            await channel.CloseAsync(cancellationToken); // requeues everything read, in place
        }
        return result;
    }
}
