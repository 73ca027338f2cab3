using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// A channel with publisher confirms whose mandatory publishes wait for their confirm and say whether the broker routed
/// the message or returned it, but wait no longer than the channel lives.
/// </summary>
/// <remarks>
/// <para>
/// Why not RabbitMQ.Client's own confirm tracking: it reports a returned message as a thrown <c>PublishException</c>,
/// rethrown through five async frames, and the hold check (<see cref="HoldQueues.TryHoldAsync"/>) has every event that
/// is not held returned. In a CPU profile (perf) of a worker draining a backlog that exception was 6.8 % of the worker's
/// CPU. So this tracks confirms the way the client's documentation describes for tracking off: each publish carries
/// its sequence number in <see cref="Constants.PublishSequenceNumberHeader"/>; a <c>basic.return</c>, which the broker
/// sends before the <c>basic.ack</c> of the same message, marks it returned, and the ack completes it.
/// </para>
/// <para>
/// RabbitMQ.Client 7.2 can leave a confirm wait pending for good when the broker goes away under it
/// (rabbitmq/rabbitmq-dotnet-client#1930, open), and MassTransit does not cancel the deliveries of a lost channel: in a
/// dump taken after a broker restart under load, offers waited on their confirm and held their endpoint's stop. The
/// wait ends when the channel shuts down: one shutdown handler for the channel's life, not one per publish (an offer
/// channel carries every event of its partition). No timeout decides anything, so a slow confirm is still waited for.
/// (A second dump showed the other half of that restart: the client's socket write loop ends, its bounded frame queue
/// fills, and MassTransit's acks wait on it, which no code of ours can end; docs/design.md, "After a broker restart".)
/// </para>
/// </remarks>
public sealed class ConfirmedChannel : IAsyncDisposable
{
    // Never disposed: the channel's shutdown, its disposal included, may still cancel it.
    readonly CancellationTokenSource _closed = new();
    // The sequence number a publish gets is the channel's next one only if no other publish comes between.
    readonly SemaphoreSlim _publishing = new(1, 1);
    readonly ConcurrentDictionary<ulong, Pending> _pending = new();

    ConfirmedChannel(IChannel channel)
    {
        Channel = channel;
        channel.BasicReturnAsync += (_, returned) =>
        {
            if (SequenceNumberOf(returned) is { } sequence && _pending.TryGetValue(sequence, out var pending))
                pending.Returned = true;
            return Task.CompletedTask;
        };
        channel.BasicAcksAsync += (_, ack) =>
        {
            Complete(ack.DeliveryTag, ack.Multiple, pending => pending.Outcome.TrySetResult(!pending.Returned));
            return Task.CompletedTask;
        };
        channel.BasicNacksAsync += (_, nack) =>
        {
            Complete(nack.DeliveryTag, nack.Multiple, pending => pending.Outcome.TrySetException(
                new InvalidOperationException("The broker refused the message (basic.nack).")));
            return Task.CompletedTask;
        };
        // Added to a channel already closed, the handler runs at once.
        channel.ChannelShutdownAsync += (_, _) =>
        {
            _closed.Cancel();
            return Task.CompletedTask;
        };
    }

    public IChannel Channel { get; }

    public static async Task<ConfirmedChannel> OpenAsync(IConnection connection) => new(await connection.CreateChannelAsync(
        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false)));

    /// <summary>
    /// Publishes <paramref name="body"/> mandatory and waits for the broker's confirm, or for the channel's end: true when
    /// the broker routed it to a queue, false when it returned it (no queue took it).
    /// </summary>
    /// <param name="sent">
    /// Called once the message is on its way, before its confirm: what the same channel publishes after it is routed
    /// after it.
    /// </param>
    public async Task<bool> TryPublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken, Action? sent = null)
    {
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var pending = new Pending();
        try
        {
            await _publishing.WaitAsync(gone.Token);
            try
            {
                if (Channel.CloseReason is { } closed)
                    throw new AlreadyClosedException(closed);
                var sequence = await Channel.GetNextPublishSequenceNumberAsync(gone.Token);
                properties.Headers ??= new Dictionary<string, object?>();
                properties.Headers[Constants.PublishSequenceNumberHeader] = (long)sequence;
                _pending[sequence] = pending;
                pending.Sequence = sequence;
                await Channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, gone.Token);
                sent?.Invoke();
            }
            finally
            {
                _publishing.Release();
            }
            return await pending.Outcome.Task.WaitAsync(gone.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Channel.CloseReason is { } closed)
        {
            throw new AlreadyClosedException(closed);
        }
        finally
        {
            if (pending.Sequence is { } sequence)
                _pending.TryRemove(sequence, out _);
        }
    }

    /// <summary>Publishes like <see cref="TryPublishAsync"/>, and fails when the broker returns the message.</summary>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken)
    {
        if (!await TryPublishAsync(exchange, routingKey, properties, body, cancellationToken))
            throw new InvalidOperationException($"No queue took the message published to '{exchange}' with routing key '{routingKey}': the broker returned it.");
    }

    public ValueTask DisposeAsync() => Channel.DisposeAsync();

    void Complete(ulong deliveryTag, bool multiple, Action<Pending> complete)
    {
        if (!multiple)
        {
            if (_pending.TryGetValue(deliveryTag, out var one))
                complete(one);
            return;
        }
        foreach (var (sequence, pending) in _pending)
            if (sequence <= deliveryTag)
                complete(pending);
    }

    static ulong? SequenceNumberOf(BasicReturnEventArgs returned)
    {
        if (returned.BasicProperties.Headers?.TryGetValue(Constants.PublishSequenceNumberHeader, out var value) != true)
            return null;
        return value switch
        {
            long number => (ulong)number,
            int number => (ulong)number,
            byte[] text when ulong.TryParse(Encoding.UTF8.GetString(text), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }

    sealed class Pending
    {
        public readonly TaskCompletionSource<bool> Outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool Returned;
        public ulong? Sequence;
    }
}
