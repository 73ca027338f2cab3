using System.Text;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Testing;

/// <summary>A message as it sits in a queue: its AMQP headers (strings decoded) and body.</summary>
public sealed record QueuedMessage(string? MessageId, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>
    /// Reads every message of a queue without consuming it (the channel closes unacknowledged, so they are requeued).
    /// A <see cref="CallQueues"/> name reads the messages of that call in every partition queue.
    /// </summary>
    public static async Task<IReadOnlyList<QueuedMessage>> PeekAllAsync(Uri amqpUri, string queue)
    {
        if (CallQueues.Resolve(queue) is { } view)
        {
            var all = new List<QueuedMessage>();
            foreach (var real in view.Queues)
            {
                if (await RabbitMqBroker.QueueStateAsync(amqpUri, real) is not null)
                    all.AddRange((await PeekAllAsync(amqpUri, real)).Where(m => m.Header(Messaging.DeadLetterHeaders.SegmentCall) == view.Call));
            }
            return all;
        }

        var factory = new ConnectionFactory { Uri = amqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        var messages = new List<QueuedMessage>();
        await using (var channel = await connection.CreateChannelAsync())
        {
            while (await channel.BasicGetAsync(queue, autoAck: false) is { } result)
            {
                var headers = (result.BasicProperties.Headers ?? new Dictionary<string, object?>())
                    .ToDictionary(h => h.Key, h => Decode(h.Value));
                messages.Add(new QueuedMessage(result.BasicProperties.MessageId, headers, Encoding.UTF8.GetString(result.Body.Span)));
            }
            await channel.CloseAsync();
        }
        return messages;
    }

    static string Decode(object? value) => value switch
    {
        null => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
