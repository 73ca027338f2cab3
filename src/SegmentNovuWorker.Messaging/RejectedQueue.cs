using System.ComponentModel.DataAnnotations;
using MassTransit;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// The <c>RabbitMq:RejectedQueue</c> section: how much <c>segment-rejected</c> may hold. Nothing consumes it, so
/// without a bound a sender with a valid key could fill the broker's disk with invalid events, and the disk alarm
/// would then block every publish, valid events included.
/// </summary>
public sealed class RejectedQueueOptions
{
    public const string Section = "RabbitMq:RejectedQueue";

    /// <summary><c>RabbitMq:RejectedQueue:MaxLength</c>: messages (RabbitMQ's <c>x-max-length</c>).</summary>
    [Range(1, int.MaxValue)]
    public int MaxLength { get; set; } = 100_000;

    /// <summary><c>RabbitMq:RejectedQueue:MaxLengthBytes</c>: bodies' bytes (<c>x-max-length-bytes</c>).</summary>
    [Range(1, long.MaxValue)]
    public long MaxLengthBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>
/// Declares <c>segment-rejected</c> (<see cref="QueueArguments.Rejected"/>): a quorum queue, bounded, refusing new messages
/// when full (<c>x-overflow: reject-publish</c>).
/// </summary>
/// <remarks>
/// Refusing new ones rather than dropping the oldest keeps the first evidence of a misbehaving sender, and the refusal
/// (a publisher nack) is what the ingest sees, logs and reports as <c>notKept</c>; valid events of the same request do
/// not wait for it. RabbitMQ does not change the arguments of an existing queue: a broker that has the queue from
/// before needs it deleted once (or a <c>max-length</c> policy, which RabbitMQ combines with these by taking the lower).
/// </remarks>
public static class RejectedQueue
{
    public static void DeclareRejectedQueue(this IRabbitMqBusFactoryConfigurator cfg, RejectedQueueOptions? options)
    {
        options ??= new RejectedQueueOptions();
        var exchange = cfg.MessageTopology.GetMessageTopology<RejectedEvent>().EntityName;
        cfg.Publish<RejectedEvent>(p => p.BindQueue(exchange, SegmentQueues.Rejected, q =>
        {
            q.SetQuorumQueue();
            foreach (var (key, value) in QueueArguments.Rejected(options))
                q.SetQueueArgument(key, value);
        }));
    }
}
