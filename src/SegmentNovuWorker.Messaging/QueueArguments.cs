using System.Collections.ObjectModel;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// The declaration arguments of every queue the service creates, in one place: the ingest API, the worker and the
/// operator tool all read them here, because RabbitMQ refuses (406 PRECONDITION_FAILED) a declaration whose arguments
/// differ from the queue's, and never changes a queue's type or arguments after the fact (docs/operations.md,
/// "Upgrading to quorum queues").
/// </summary>
/// <remarks>
/// Every queue that holds events is a quorum queue, replicated on (by default) three nodes, so a node whose disk is lost
/// takes none of them with it. The hold queues are the one exception (<see cref="Hold"/>). The presence queue
/// <see cref="SegmentQueues.Workers"/> never holds a message and is declared by the worker as it always was.
/// </remarks>
public static class QueueArguments
{
    public const string QueueType = "x-queue-type";
    public const string SingleActiveConsumer = "x-single-active-consumer";
    public const string DeliveryLimitArgument = "x-delivery-limit";
    public const string DeadLetterExchange = "x-dead-letter-exchange";
    public const string DeadLetterRoutingKey = "x-dead-letter-routing-key";
    public const string DeadLetterStrategy = "x-dead-letter-strategy";
    public const string Overflow = "x-overflow";
    public const string MessageTtl = "x-message-ttl";
    public const string MaxLength = "x-max-length";

    /// <summary>
    /// How many times a partition queue hands a message out without it being settled (its consumer's process crashed,
    /// its connection dropped, an endpoint stopped with it in flight) before RabbitMQ moves it to the partition's
    /// <c>_error</c> queue instead. Failures the worker sees never count: it acknowledges them into a wait queue or
    /// <c>_error</c>. RabbitMQ 3.x has no limit by default (a message that kills the worker comes back forever); 4.x
    /// defaults to 20, the value taken here so that both behave alike.
    /// </summary>
    public const int DeliveryLimit = 20;

    /// <summary>
    /// The header in which a quorum queue tells how many times it has handed this message out before without it being
    /// settled (absent on the first delivery). After a return that makes it exceed <see cref="DeliveryLimit"/>, RabbitMQ
    /// dead-letters the message instead of delivering it: a delivery that carries <see cref="DeliveryLimit"/> is its last.
    /// </summary>
    public const string DeliveryCountHeader = "x-delivery-count";

    /// <summary>
    /// The delivery limit of queues that nothing consumes but the operator tool reads (<c>_error</c>, <c>_skipped</c>,
    /// <c>segment-rejected</c>): in effect none. A read takes messages unacknowledged and closes its channel, which
    /// RabbitMQ counts as a return; under RabbitMQ 4.x's default limit of 20 the 21st read would drop a dead letter.
    /// Not -1: RabbitMQ 4.x reads -1 as "no limit", but 3.10 accepts it and drops every message at its first return.
    /// </summary>
    public const int Unlimited = int.MaxValue;

    /// <summary>
    /// A partition queue: quorum, one active consumer at a time (a user's events in order; classic queues of RabbitMQ
    /// 3.10 can crash on that failover, rabbitmq-server#5460), and a delivery limit past which the broker itself
    /// dead-letters the message into the partition's <c>_error</c> queue, at least once (<see cref="AtLeastOnceDeadLettering"/>),
    /// marked <c>x-first-death-reason: delivery_limit</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Partition(string queue) => Frozen(new Dictionary<string, object>
    {
        [QueueType] = "quorum",
        [SingleActiveConsumer] = true,
        [DeliveryLimitArgument] = DeliveryLimit,
        [DeadLetterExchange] = "", // the default exchange routes by queue name
        [DeadLetterRoutingKey] = SegmentQueues.ErrorQueueOf(queue),
        [DeadLetterStrategy] = AtLeastOnceDeadLettering,
        [Overflow] = RejectPublish,
    });

    /// <summary>
    /// An <c>_error</c> or <c>_skipped</c> queue of a partition: quorum, no single active consumer (the operator tool reads
    /// it with <c>basic.get</c>, which a single-active-consumer queue refuses), no dead-lettering, no delivery limit
    /// (<see cref="Unlimited"/>), and bounded, refusing new dead letters when full rather than dropping old ones
    /// (<see cref="DeadLetterQueueOptions"/>; quorum queues know only <c>drop-head</c> and <c>reject-publish</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, object> DeadLetters(DeadLetterQueueOptions options) => Frozen(new Dictionary<string, object>
    {
        [QueueType] = "quorum",
        [DeliveryLimitArgument] = Unlimited,
        [MaxLength] = options.MaxLength,
        [Overflow] = RejectPublish,
    });

    /// <summary>
    /// A partition's hold registry (<see cref="SegmentQueues.HoldRegistryOf"/>): quorum (it must outlive a node), read
    /// with <c>basic.get</c> and given back by its reader, so no delivery limit (<see cref="Unlimited"/>). Bounded at a
    /// million records, the oldest dropped first, for a worker whose sweep is turned off (nothing then drops the records
    /// of released holds); the sweep keeps one record per open hold.
    /// </summary>
    public static IReadOnlyDictionary<string, object> HoldRegistry { get; } = Frozen(new Dictionary<string, object>
    {
        [QueueType] = "quorum",
        [DeliveryLimitArgument] = Unlimited,
        [MaxLength] = 1_000_000,
        [Overflow] = "drop-head",
    });

    /// <summary>
    /// A wait queue of a delayed redelivery: quorum, messages expire after <paramref name="wait"/> and are dead-lettered
    /// back to <paramref name="queue"/> at least once. RabbitMQ's default (at most once) drops an expired message whose
    /// target is not there at that moment, for instance while the partition's leader is moving to another node.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Wait(string queue, TimeSpan wait) => Frozen(new Dictionary<string, object>
    {
        [QueueType] = "quorum",
        [MessageTtl] = (long)wait.TotalMilliseconds,
        [DeadLetterExchange] = "",
        [DeadLetterRoutingKey] = queue,
        [DeadLetterStrategy] = AtLeastOnceDeadLettering,
        [Overflow] = RejectPublish,
    });

    /// <summary>
    /// <c>segment-rejected</c>: quorum, bounded, refusing new messages when full (see <see cref="RejectedQueue"/>). Nothing
    /// consumes it; an operator may read it, so no delivery limit either.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Rejected(RejectedQueueOptions options) => Frozen(new Dictionary<string, object>
    {
        [QueueType] = "quorum",
        [DeliveryLimitArgument] = Unlimited,
        [MaxLength] = options.MaxLength,
        ["x-max-length-bytes"] = options.MaxLengthBytes,
        [Overflow] = RejectPublish,
    });

    /// <summary>
    /// A user's hold queue stays classic, and says so (a virtual host whose default queue type is quorum would otherwise
    /// make it one). Releasing a hold deletes the queue only if it is empty, atomically against a concurrent offer;
    /// quorum queues refuse <c>queue.delete</c> with <c>if-empty</c> (540 NOT_IMPLEMENTED, which closes the connection).
    /// The cost (docs/operations.md, "A cluster"): a hold queue lives on one node. While that node is down, offers to it
    /// come back unroutable, so the user's newer events run ahead of the held ones; a node lost with its disk takes the
    /// held events with it.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Hold { get; } = Frozen(new Dictionary<string, object>
    {
        [QueueType] = "classic",
    });

    /// <summary>
    /// At-least-once dead-lettering (RabbitMQ 3.10+): the message leaves the source only once the target confirmed it.
    /// It needs <c>x-overflow: reject-publish</c> (with <c>drop-head</c> RabbitMQ silently falls back to at most once) and
    /// the <c>stream_queue</c> feature flag, enabled on any node created on 3.9 or later.
    /// </summary>
    public const string AtLeastOnceDeadLettering = "at-least-once";

    /// <summary>Refuse new messages over a length limit rather than drop the oldest; required by at-least-once dead-lettering.</summary>
    public const string RejectPublish = "reject-publish";

    /// <summary>The same arguments as the RabbitMQ client takes them.</summary>
    public static Dictionary<string, object?> ForClient(this IReadOnlyDictionary<string, object> arguments) =>
        arguments.ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal);

    static ReadOnlyDictionary<string, object> Frozen(Dictionary<string, object> arguments) => new(arguments);
}
