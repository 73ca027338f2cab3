using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.MassTransitSeam;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Holds a user's later events back, in the broker, while an earlier one waits out a delayed redelivery, so they reach
/// Novu after it and in order, across worker restarts and failovers.
/// </summary>
/// <remarks>
/// A held user has a durable queue <c>segment-hold-{hash}</c> bound to the direct exchange <c>segment-holds</c> under
/// its hash. Every event taken from a partition queue is first offered to that exchange, mandatory: routed means the
/// user is held and the event now waits at the back of the hold queue; returned means it is not, and the event runs.
/// The hold's state is the broker's, not this process's: whichever worker consumes the partition next sees it.
/// The event in redelivery comes back marked <see cref="DeadLetterHeaders.HoldHead"/>; when it is done (delivered or
/// dead-lettered) it passes the mark to the first event of the hold queue, sent to the partition queue, and so on
/// until the hold queue is empty and deleted.
/// </remarks>
public sealed class HoldQueues(ScratchChannels scratch, ILogger<HoldQueues> logger)
{
    readonly Lock _gate = new();
    // One offer channel per partition endpoint: a channel publishes one message at a time while it tracks confirms, so a
    // single channel for the whole worker would make every partition wait for every other one's offers.
    readonly Dictionary<(IConnection, string), Task<ConfirmedChannel>> _offerChannels = [];
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> _registries = new(StringComparer.Ordinal);

    /// <summary>
    /// Is this message one that leads its user out of a hold? Read from the transport headers: a released event is
    /// marked there only (it is moved as it is, envelope untouched).
    /// </summary>
    public static bool IsHoldHead(ReceiveContext context) =>
        context.TransportHeaders.TryGetHeader(DeadLetterHeaders.HoldHead, out _);

    /// <summary>
    /// Offers the message to its user's hold: true when the user is held and the message is now at the back of the
    /// hold queue (the broker confirmed it), false when the user is not held. <paramref name="sent"/> is called once the
    /// offer is on its way, before its confirm: an offer of the same partition made after that is routed after it.
    /// </summary>
    public async Task<bool> TryHoldAsync(ReceiveContext context, string userKey, Action? sent = null)
    {
        var delivery = DeliveryOf(context);
        var channel = await OfferChannelAsync(MassTransitInternals.ConnectionOf(context), UserLaneFilter.PartitionQueueOf(context));
        return await channel.TryPublishAsync(SegmentQueues.HoldsExchange, SegmentPartitions.UserHash(userKey),
            new BasicProperties(delivery.Properties), context.Body.GetBytes(), context.CancellationToken, sent);
    }

    /// <summary>Does the user's hold exist? A head whose hold is gone runs as an ordinary event (<see cref="UserLaneFilter"/>).</summary>
    public Task<bool> ExistsAsync(ReceiveContext context, string userKey) =>
        ExistsAsync(MassTransitInternals.ConnectionOf(context), SegmentPartitions.UserHash(userKey), context.CancellationToken);

    /// <summary>Does the hold of the user with <paramref name="userHash"/> exist?</summary>
    public async Task<bool> ExistsAsync(IConnection connection, string userHash, CancellationToken cancellationToken)
    {
        await using var lease = await scratch.RentAsync(connection, cancellationToken);
        try
        {
            await lease.Channel.QueueDeclarePassiveAsync(SegmentQueues.HoldQueueOf(userHash), cancellationToken);
            return true;
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404)
        {
            return false; // the 404 closed the channel: it is not reused
        }
    }

    static RabbitMqBasicConsumeContext DeliveryOf(ReceiveContext context) =>
        context as RabbitMqBasicConsumeContext ?? throw new InvalidOperationException("Holding a user's events needs the RabbitMQ transport.");

    /// <summary>
    /// Starts holding the user's later events (idempotent): records in the partition's hold registry when the head is due
    /// back (<paramref name="headBack"/>), then declares the hold queue and binds it. In that order: a worker that dies in
    /// between leaves a record of no hold, which the sweep drops, never a hold the sweep does not know.
    /// </summary>
    public async Task HoldAsync(PipeContext context, string userKey, string partitionQueue, DateTimeOffset headBack)
    {
        await using var lease = await scratch.RentAsync(MassTransitInternals.ConnectionOf(context), context.CancellationToken);
        await HoldAsync(lease, userKey, partitionQueue, headBack, context.CancellationToken);
    }

    async Task HoldAsync(ScratchChannels.Lease lease, string userKey, string partitionQueue, DateTimeOffset headBack, CancellationToken cancellationToken)
    {
        var hash = SegmentPartitions.UserHash(userKey);
        await RecordHeadAsync(lease, partitionQueue, hash, headBack, cancellationToken);
        await DeclareExchangeAsync(lease.Channel);
        await lease.Channel.QueueDeclareAsync(SegmentQueues.HoldQueueOf(hash), durable: true, exclusive: false, autoDelete: false, QueueArguments.Hold.ForClient());
        await lease.Channel.QueueBindAsync(SegmentQueues.HoldQueueOf(hash), SegmentQueues.HoldsExchange, hash);
        logger.LogInformation("Holding the later events of user {UserHash} until the event leading them is done", hash);
    }

    /// <summary>
    /// Opens the user's hold with this event, the user's earliest not yet done, as its head, sent to the back of
    /// <paramref name="partitionQueue"/> (a burst's lead: <see cref="UserLaneFilter"/>). The caller acknowledges the
    /// delivery once this returns. As for a head parked in redelivery, the hold opens first: a worker that dies before
    /// the copy is sent leaves a hold without a head, which the original joins in its place when it comes back (ahead of
    /// the user's later events, which come back behind it) and the sweep lets lead; one that dies after it leaves the copy
    /// and the original, which joins the hold behind it: the event runs twice, in order.
    /// </summary>
    public async Task LeadAsync(ReceiveContext context, string userKey, string partitionQueue)
    {
        await using var lease = await scratch.RentAsync(MassTransitInternals.ConnectionOf(context), context.CancellationToken);
        await HoldAsync(lease, userKey, partitionQueue, DateTimeOffset.UtcNow, context.CancellationToken);
        await lease.Confirmed.PublishAsync("", partitionQueue, AsHead(DeliveryOf(context).Properties), context.Body.GetBytes(), context.CancellationToken);
    }

    /// <summary>A copy of a message's properties marked <see cref="DeadLetterHeaders.HoldHead"/>, its headers copied too.</summary>
    static BasicProperties AsHead(IReadOnlyBasicProperties original)
    {
        var properties = new BasicProperties(original);
        properties.Headers = properties.Headers is null ? [] : new Dictionary<string, object?>(properties.Headers);
        properties.Headers[DeadLetterHeaders.HoldHead] = "true";
        return properties;
    }

    /// <summary>
    /// One record of the partition's hold registry: the user's head is due in <paramref name="partitionQueue"/> at
    /// <paramref name="back"/> (its message id is the user hash, its timestamp the time; no body).
    /// </summary>
    async Task RecordHeadAsync(ScratchChannels.Lease lease, string partitionQueue, string userHash, DateTimeOffset back, CancellationToken cancellationToken)
    {
        var registry = SegmentQueues.HoldRegistryOf(partitionQueue);
        await EnsureRegistryAsync(lease.Channel, registry);
        var properties = new BasicProperties
        {
            MessageId = userHash,
            Timestamp = new AmqpTimestamp(back.ToUnixTimeSeconds()),
            DeliveryMode = DeliveryModes.Persistent,
        };
        await lease.Confirmed.PublishAsync("", registry, properties, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    /// <summary>
    /// The held user's leading event is done: sends the next held event to <paramref name="partitionQueue"/> as the new
    /// head, or, when none is left, deletes the hold so the user's events flow again. True when the hold is gone.
    /// </summary>
    public Task<bool> ReleaseNextAsync(PipeContext context, string userKey, string partitionQueue) =>
        ReleaseNextAsync(MassTransitInternals.ConnectionOf(context), SegmentPartitions.UserHash(userKey), partitionQueue, context.CancellationToken);

    /// <summary>
    /// <see cref="ReleaseNextAsync(PipeContext, string, string)"/> for the user with <paramref name="userHash"/>; the next
    /// head is recorded in the partition's hold registry as due now.
    /// </summary>
    public async Task<bool> ReleaseNextAsync(IConnection connection, string userHash, string partitionQueue, CancellationToken cancellationToken)
    {
        var hold = SegmentQueues.HoldQueueOf(userHash);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using var lease = await scratch.RentAsync(connection, cancellationToken);
            var channel = lease.Channel;
            try
            {
                if (await channel.BasicGetAsync(hold, autoAck: false, cancellationToken) is { } next)
                {
                    var properties = AsHead(next.BasicProperties);
                    try
                    {
                        await RecordHeadAsync(lease, partitionQueue, userHash, DateTimeOffset.UtcNow, cancellationToken);
                        await lease.Confirmed.PublishAsync("", partitionQueue, properties, next.Body, cancellationToken);
                        await channel.BasicAckAsync(next.DeliveryTag, multiple: false, cancellationToken);
                    }
                    catch
                    {
                        lease.Discard(); // closing it gives the unacknowledged event back to the hold, in place
                        throw;
                    }
                    return false;
                }
                // Only if still empty: an event offered meanwhile keeps the hold (the delete then fails, and we look again).
                await channel.QueueDeleteAsync(hold, ifUnused: false, ifEmpty: true, cancellationToken: cancellationToken);
                logger.LogInformation("Released the hold of user {UserHash}", userHash);
                return true;
            }
            catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404)
            {
                return true; // no hold (already released): nothing waits behind this event
            }
            catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 406)
            {
                // Not empty any more: take the newcomer as the next head.
            }
        }
        throw new InvalidOperationException($"Could not release the hold {hold}: it kept changing.");
    }

    /// <summary>
    /// Declares the registry once per process (as the wait queues are), not per record or sweep: many parks at once (an
    /// outage over a loaded partition) would otherwise race to create the same quorum queue.
    /// </summary>
    public async Task EnsureRegistryAsync(IChannel channel, string registry)
    {
        var declaration = _registries.GetOrAdd(registry, name => new Lazy<Task>(() =>
            channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, QueueArguments.HoldRegistry.ForClient())));
        try
        {
            await declaration.Value;
        }
        catch
        {
            _registries.TryRemove(registry, out _);
            throw;
        }
    }

    async Task<ConfirmedChannel> OfferChannelAsync(IConnection connection, string partitionQueue)
    {
        Task<ConfirmedChannel> channel;
        lock (_gate)
        {
            if (!_offerChannels.TryGetValue((connection, partitionQueue), out channel!) || channel is { IsCompletedSuccessfully: true, Result.Channel.IsOpen: false } || channel.IsFaulted)
                _offerChannels[(connection, partitionQueue)] = channel = OpenOfferChannelAsync(connection);
        }
        return await channel;
    }

    static async Task<ConfirmedChannel> OpenOfferChannelAsync(IConnection connection)
    {
        // Publisher confirms with tracking: each offer awaits its confirm, or fails as returned.
        var channel = await ConfirmedChannel.OpenAsync(connection);
        await DeclareExchangeAsync(channel.Channel);
        return channel;
    }

    static Task DeclareExchangeAsync(IChannel channel) =>
        channel.ExchangeDeclareAsync(SegmentQueues.HoldsExchange, ExchangeType.Direct, durable: true, autoDelete: false);
}
