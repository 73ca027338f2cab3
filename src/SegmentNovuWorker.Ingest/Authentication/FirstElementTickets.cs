using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>What became of a claim on a signature (<see cref="FirstElementTickets.Claim"/>).</summary>
public enum TicketClaim
{
    /// <summary>Never accepted: this request may publish, then <see cref="FirstElementTickets.RecordAsync"/> or <see cref="FirstElementTickets.Release"/>.</summary>
    Claimed,

    /// <summary>Accepted before with these very bytes, by this replica or another: the same request again (Segment's retry, or a replay of it).</summary>
    SameBody,

    /// <summary>Accepted before with other bytes: the signature is being reused (a body grown, shrunk, or switched between modes).</summary>
    OtherBody,

    /// <summary>Another request with the same signature is being published right now.</summary>
    InFlight,

    /// <summary>This replica has not yet read every ticket of the window (just started, or the broker is away).</summary>
    NotReady,
}

/// <summary>
/// The signatures already accepted while <c>Segment:AcceptFirstElementSignature</c> is on, whole-body and first-element
/// alike, each with the hash of the body it came with, until it falls out of <c>Segment:FirstElementSignatureWindow</c>.
/// A whole-body signature over an object is also a valid first-element signature of any array starting with that
/// object's bytes, and the other way round, so one set covers both modes: a signature verifies one body only. Kept in the
/// RabbitMQ stream <c>segment-first-element-tickets</c>: every ingest replica appends the tickets it accepts and reads
/// everyone's, from the start of the window, when it starts, so neither a restart nor a second replica accepts a
/// captured signature twice. The broker is already what a 2xx depends on; a stream needs nothing else to run.
/// Hand-written on RabbitMQ.Client rather than a MassTransit endpoint: what is needed is a set read from a point in
/// time and a signal that it is complete, not messages handed to consumers.
/// </summary>
public sealed class FirstElementTickets(
    IOptions<SegmentOptions> segment, IOptions<RabbitMqOptions> rabbitMq, BrokerConnections connections, TimeProvider clock,
    ILogger<FirstElementTickets> logger)
    : BackgroundService
{
    /// <summary>The stream keeps tickets at least as long as the longest window the options allow.</summary>
    const string Retention = "7D";

    /// <summary>
    /// Every ticket of the window, kept compact (about 90 bytes each) since with the mode on every signed request has
    /// one: a signature and a body hash as 128-bit prefixes (unique in practice; an attacker cannot choose an HMAC).
    /// </summary>
    readonly ConcurrentDictionary<UInt128, Accepted> _accepted = new();
    readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _publishing = new(1, 1);
    volatile IChannel? _publisher;
    volatile string? _awaitedMarker;
    DateTimeOffset _nextSweep;

    /// <summary>Whether this replica has read every ticket of the window and can append its own.</summary>
    public bool Ready => _publisher is not null && _awaitedMarker is null;

    /// <param name="signature">The ticket: the verified <c>X-Signature</c>, lowercase.</param>
    /// <param name="bodyHash">The hash of the whole request body, which tells a retry from a reuse.</param>
    public TicketClaim Claim(string signature, string bodyHash)
    {
        if (!Ready)
            return TicketClaim.NotReady;
        if (_accepted.TryGetValue(Compact(signature), out var accepted) && accepted.Until > clock.GetUtcNow())
            return accepted.BodyHash == Compact(bodyHash) ? TicketClaim.SameBody : TicketClaim.OtherBody;
        return _inFlight.TryAdd(signature, 0) ? TicketClaim.Claimed : TicketClaim.InFlight;
    }

    /// <summary>Whether this signature was accepted, here or by another replica, within its window.</summary>
    public bool IsAccepted(string signature) =>
        _accepted.TryGetValue(Compact(signature), out var accepted) && accepted.Until > clock.GetUtcNow();

    /// <summary>Gives a claim back: the request's events were not all confirmed, so Segment's retry must be accepted.</summary>
    public void Release(string signature) => _inFlight.TryRemove(signature, out _);

    /// <summary>
    /// Records an accepted signature and its body, once the request's events are confirmed by the broker (recorded
    /// first, a 503 would turn Segment's retry into a repeat and lose the batch), and waits for the stream to confirm it.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">The stream did not confirm it: answer 503; Segment's retry publishes again.</exception>
    public async Task RecordAsync(string signature, string bodyHash, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(new Ticket(signature, until, null, bodyHash), cancellationToken);
            Remember(signature, until, bodyHash);
        }
        finally
        {
            Release(signature);
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
        // Every node of RabbitMq:Hosts, as the bus: with the first one down the tickets are still read.
        await using var connection = await connections.OpenAsync("segment-novu-ingest-tickets", stoppingToken);
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
        await PublishAsync(new Ticket(null, default, marker, null), stoppingToken);
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
            Remember(id, ticket.Until, ticket.Body);
    }

    void Remember(string id, DateTimeOffset until, string? bodyHash)
    {
        var now = clock.GetUtcNow();
        var accepted = new Accepted(until, Compact(bodyHash));
        if (until > now)
            _accepted.AddOrUpdate(Compact(id), accepted, (_, known) => known.Until > accepted.Until ? known : accepted);
        if (now < _nextSweep)
            return;
        _nextSweep = now + TimeSpan.FromMinutes(1);
        foreach (var (known, expires) in _accepted)
        {
            if (expires.Until <= now)
                _accepted.TryRemove(known, out _);
        }
    }

    /// <summary>
    /// The first 128 bits of a hex digest; of anything else (a ticket an earlier version keyed by a messageId, or none),
    /// a SHA-256 of its text, so that it still matches only itself.
    /// </summary>
    static UInt128 Compact(string? hex)
    {
        if (hex is null)
            return UInt128.Zero;
        Span<byte> bytes = stackalloc byte[16];
        if (hex.Length < 32 || Convert.FromHexString(hex.AsSpan(0, 32), bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hex)).AsSpan(0, 16).CopyTo(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
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

    /// <summary>
    /// One line of the stream: an accepted signature, until when it matters and the hash of its body, or a replica's start
    /// marker. A ticket without a body hash (written before signatures were tied to one body) matches no body: any reuse
    /// of its signature publishes nothing.
    /// </summary>
    sealed record Ticket(string? Id, DateTimeOffset Until, string? Marker, string? Body);

    readonly record struct Accepted(DateTimeOffset Until, UInt128 BodyHash);
}
