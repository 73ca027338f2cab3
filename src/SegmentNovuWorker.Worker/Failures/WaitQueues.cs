using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.MassTransitSeam;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// The per-interval wait queues that hold messages during a delayed redelivery: <c>{queue}_wait_{n}s</c>, with
/// <c>x-message-ttl</c> = n seconds and dead-lettering back to the endpoint's queue. The broker holds the delay, so it
/// survives a worker restart, needs no plugin (the delayed-message exchange is neither installed here nor replicated in
/// a cluster), and works on quorum queues. One queue per configured interval: RabbitMQ expires messages only at the head
/// of a queue, so mixing delays in one queue would hold short delays behind long ones.
/// </summary>
public sealed class WaitQueues(IOptions<RetryOptions> options)
{
    readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);

    /// <summary>The wait of the first configured interval at least as long as <paramref name="delay"/> (else the longest).</summary>
    public TimeSpan Snap(TimeSpan delay)
    {
        var ladder = options.Value.RedeliveryDelays
            .Select(d => TimeSpan.FromSeconds(Math.Ceiling(d.TotalSeconds)))
            .Distinct()
            .Order()
            .ToArray();
        return ladder.FirstOrDefault(d => d >= delay, ladder[^1]);
    }

    /// <summary>Declares (once per process and broker) the wait queue of <paramref name="queue"/> for <paramref name="wait"/>.</summary>
    public async Task<string> EnsureDeclaredAsync(ConsumeContext context, string queue, TimeSpan wait)
    {
        var name = SegmentQueues.WaitQueueOf(queue, wait);
        var channel = MassTransitInternals.ChannelOf(context.ReceiveContext)
            ?? throw new InvalidOperationException("Delayed redelivery through wait queues needs the RabbitMQ transport.");

        var key = context.ReceiveContext.InputAddress.GetLeftPart(UriPartial.Authority) + context.ReceiveContext.InputAddress.AbsolutePath + "|" + name;
        var declaration = _declared.GetOrAdd(key, _ => new Lazy<Task>(() => DeclareAsync(channel, name, queue, wait)));
        try
        {
            await declaration.Value;
        }
        catch
        {
            _declared.TryRemove(key, out _);
            throw;
        }
        return name;
    }

    static async Task DeclareAsync(IChannel channel, string name, string queue, TimeSpan wait)
    {
        // Expired messages go straight back to the endpoint's queue, at least once (QueueArguments.Wait).
        var arguments = QueueArguments.Wait(queue, wait).ForClient();
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
        await channel.QueueBindAsync(name, name, routingKey: "");
    }
}
