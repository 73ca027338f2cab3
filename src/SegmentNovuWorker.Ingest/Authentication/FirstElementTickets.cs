using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>What became of a claim on a first element (<see cref="FirstElementTickets.Claim"/>).</summary>
public enum TicketClaim
{
    /// <summary>Never accepted: this request may publish, then <see cref="FirstElementTickets.RecordAsync"/> or <see cref="FirstElementTickets.Release"/>.</summary>
    Claimed,

    /// <summary>Accepted before, by this replica or another: the body publishes nothing again.</summary>
    AlreadyAccepted,

    /// <summary>Another request with the same first element is being published right now.</summary>
    InFlight,

    /// <summary>This replica has not yet read every ticket of the window (just started, or the broker is away).</summary>
    NotReady,
}

/// <summary>
/// The first elements already accepted from arrays signed over their first element only, each until it falls out of
/// <c>Segment:FirstElementSignatureWindow</c>. Kept in the RabbitMQ stream <c>segment-first-element-tickets</c>: every
/// ingest replica appends the tickets it accepts and reads everyone's, from the start of the window, when it starts,
/// so neither a restart nor a second replica accepts a captured body twice. The broker is already what a 2xx depends
/// on; a stream needs nothing else to run. Hand-written on RabbitMQ.Client rather than a MassTransit endpoint: what is
/// needed is a set read from a point in time and a signal that it is complete, not messages handed to consumers.
/// </summary>
public sealed class FirstElementTickets(
    IOptions<SegmentOptions> segment, IOptions<RabbitMqOptions> rabbitMq, TimeProvider clock, ILogger<FirstElementTickets> logger)
    : BackgroundService
{
    /// <summary>The stream keeps tickets at least as long as the longest window the options allow.</summary>
    const string Retention = "7D";

    readonly ConcurrentDictionary<string, DateTimeOffset> _accepted = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _publishing = new(1, 1);
    volatile IChannel? _publisher;
    volatile string? _awaitedMarker;
    DateTimeOffset _nextSweep;

    /// <summary>Whether this replica has read every ticket of the window and can append its own.</summary>
    public bool Ready => _publisher is not null && _awaitedMarker is null;

    public TicketClaim Claim(string firstElementId)
    {
        if (!Ready)
            return TicketClaim.NotReady;
        if (IsAccepted(firstElementId))
            return TicketClaim.AlreadyAccepted;
        return _inFlight.TryAdd(firstElementId, 0) ? TicketClaim.Claimed : TicketClaim.InFlight;
    }

    /// <summary>Whether a body starting with this element was accepted, here or by another replica, within its window.</summary>
    public bool IsAccepted(string firstElementId) =>
        _accepted.TryGetValue(firstElementId, out var until) && until > clock.GetUtcNow();

    /// <summary>Gives a claim back: the request's events were not all confirmed, so Segment's retry must be accepted.</summary>
    public void Release(string firstElementId) => _inFlight.TryRemove(firstElementId, out _);

    /// <summary>
    /// Records an accepted first element, once its request's events are confirmed by the broker (recorded first, a 503
    /// would turn Segment's retry into a repeat and lose the batch), and waits for the stream to confirm it.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">The stream did not confirm it: answer 503; Segment's retry publishes again.</exception>
    public async Task RecordAsync(string firstElementId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(new Ticket(firstElementId, until, null), cancellationToken);
            Remember(firstElementId, until);
        }
        finally
        {
            Release(firstElementId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!segment.Value.AcceptFirstElementSignature)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("First-element tickets: lost {Stream} on {Broker} ({Reason}); first-element-signed batches are answered 503 until it is read again",
                    SegmentQueues.FirstElementTickets, rabbitMq.Value.Redacted, ex.Message);
            }
            _publisher = null;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the stream from the start of the window until the connection closes; ready once its own marker comes back.</summary>
    async Task FollowAsync(CancellationToken stoppingToken)
    {
        await using var connection = await new ConnectionFactory
        {
            Uri = rabbitMq.Value.ConnectionString,
            ClientProvidedName = $"segment-novu-ingest-tickets@{Environment.MachineName}:{Environment.ProcessId}",
            RequestedHeartbeat = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        }.CreateConnectionAsync(stoppingToken);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetException(new IOException(args.ReplyText));
            return Task.CompletedTask;
        };

        await using var reader = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await reader.QueueDeclareAsync(SegmentQueues.FirstElementTickets, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "stream", ["x-max-age"] = Retention }, cancellationToken: stoppingToken);
        // A stream consumer must ack (credit), and must prefetch.
        await reader.BasicQosAsync(0, 500, false, stoppingToken);
        var consumer = new AsyncEventingBasicConsumer(reader);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            Read(delivery.Body.Span);
            await reader.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };

        var marker = Guid.NewGuid().ToString("N");
        _awaitedMarker = marker;
        // A stream reads from a point in time (to the chunk): every ticket whose window may still be open.
        var from = clock.GetUtcNow() - segment.Value.FirstElementSignatureWindow - TimeSpan.FromMinutes(1);
        await reader.BasicConsumeAsync(SegmentQueues.FirstElementTickets, autoAck: false, consumerTag: "",
            noLocal: false, exclusive: false,
            new Dictionary<string, object?> { ["x-stream-offset"] = new AmqpTimestamp(from.ToUnixTimeSeconds()) }, consumer, stoppingToken);

        await using var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        _publisher = publisher;
        // Everything appended before the marker has been read once the marker comes back.
        await PublishAsync(new Ticket(null, default, marker), stoppingToken);
        await closed.Task.WaitAsync(stoppingToken);
    }

    void Read(ReadOnlySpan<byte> body)
    {
        Ticket? ticket;
        try
        {
            ticket = JsonSerializer.Deserialize<Ticket>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return;
        }
        if (ticket?.Marker is { } marker && marker == _awaitedMarker)
        {
            _awaitedMarker = null;
            logger.LogInformation("First-element tickets: read {Count} of the last {Window} from {Stream}",
                _accepted.Count, segment.Value.FirstElementSignatureWindow, SegmentQueues.FirstElementTickets);
        }
        else if (ticket?.Id is { } id)
            Remember(id, ticket.Until);
    }

    void Remember(string id, DateTimeOffset until)
    {
        var now = clock.GetUtcNow();
        if (until > now)
            _accepted.AddOrUpdate(id, until, (_, known) => known > until ? known : until);
        if (now < _nextSweep)
            return;
        _nextSweep = now + TimeSpan.FromMinutes(1);
        foreach (var (known, expires) in _accepted)
        {
            if (expires <= now)
                _accepted.TryRemove(known, out _);
        }
    }

    async Task PublishAsync(Ticket ticket, CancellationToken cancellationToken)
    {
        var channel = _publisher ?? throw new BrokerUnavailableException($"{SegmentQueues.FirstElementTickets} is not open.", null);
        await _publishing.WaitAsync(cancellationToken);
        try
        {
            await channel.BasicPublishAsync("", SegmentQueues.FirstElementTickets, mandatory: true,
                JsonSerializer.SerializeToUtf8Bytes(ticket, JsonSerializerOptions.Web), cancellationToken);
        }
        catch (Exception ex) when (ex is not BrokerUnavailableException)
        {
            throw new BrokerUnavailableException($"{SegmentQueues.FirstElementTickets} did not confirm a ticket: {ex.Message}", ex);
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>One line of the stream: an accepted first element and until when it matters, or a replica's start marker.</summary>
    sealed record Ticket(string? Id, DateTimeOffset Until, string? Marker);
}
