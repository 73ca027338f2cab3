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
                // A partition queue with its (single active) consumer cannot be read: what it holds is being consumed.
                if (await RabbitMqBroker.QueueStateAsync(amqpUri, real) is { Messages: > 0, Consumers: 0 })
                    all.AddRange((await PeekAllAsync(amqpUri, real)).Where(m => m.Header(Messaging.DeadLetterHeaders.SegmentCall) == view.Call));
            }
            return all;
        }

        var factory = new ConnectionFactory { Uri = amqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        var messages = new List<QueuedMessage>();
        await using (var channel = await connection.CreateChannelAsync())
        {
            // Subscribed rather than basic.get: the partition queues (quorum, single active consumer) refuse basic.get.
            var expected = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                var headers = (delivery.BasicProperties.Headers ?? new Dictionary<string, object?>())
                    .ToDictionary(h => h.Key, h => Decode(h.Value));
                lock (messages)
                {
                    messages.Add(new QueuedMessage(delivery.BasicProperties.MessageId, headers, Encoding.UTF8.GetString(delivery.Body.Span)));
                    if (messages.Count >= expected)
                        all.TrySetResult();
                }
                return Task.CompletedTask;
            };
            if (expected > 0)
            {
                // Explicit: a quorum queue gives a consumer without a prefetch limit only some of its messages at once.
                await channel.BasicQosAsync(0, ushort.MaxValue, false);
                await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
                await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            }
            await channel.CloseAsync();
        }
        lock (messages)
            return [.. messages];
    }

    static string Decode(object? value) => value switch
    {
        null => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
