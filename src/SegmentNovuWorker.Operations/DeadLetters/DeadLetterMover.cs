using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>
/// Replays dead letters to their original queue, or purges them, one message at a time.
/// </summary>
/// <remarks>
/// <para>
/// No dead letter is lost if the process dies at any point: a message is removed from <c>_error</c> (acked) only
/// after the broker confirmed its copy in the original queue (publisher confirms), and until it is acked RabbitMQ
/// gives it back to <c>_error</c> when the connection drops. Dead letters that do not match the filter are held
/// unacked until the end of the run and go back the same way.
/// </para>
/// <para>
/// The one window left is a death between the confirm and the ack: the message is then in both queues. A second
/// replay sends it again, and it is still delivered once, because the copy keeps its AMQP message_id and its event,
/// so the Segment messageId stays Novu's transactionId (and the Idempotency-Key) and Novu drops the repeat.
/// Cancellation (Ctrl-C) is honoured only between messages so it never opens that window.
/// </para>
/// </remarks>
sealed class DeadLetterMover(BrokerConnector connector)
{
    public async Task<MoveReport> MoveAsync(bool replay, DeadLetterFilter filter, MoveOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await connector.ConnectAsync(cancellationToken);
        var queues = await ErrorQueues.InScopeAsync(connection, connector.Settings, filter, cancellationToken);
        var total = queues.Sum(q => q.Count);
        var outcomes = new List<MoveOutcome>();
        // Each outcome is also told to the caller the moment it is known (a job writes it down before the next message).
        void Record(MoveOutcome outcome)
        {
            outcomes.Add(outcome);
            options.Outcome?.Invoke(outcome);
        }
        var existingTargets = new Dictionary<string, bool>(StringComparer.Ordinal);
        var scanned = 0;
        var done = 0;
        var unread = 0;
        var pace = Stopwatch.StartNew();

        foreach (var (queue, count) in queues)
        {
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                var message = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (message is null)
                {
                    // Another reader (a console page, another job) holds the rest unacked: they are not ours to move now.
                    unread += count - i;
                    break;
                }
                scanned++;
                var detail = DeadLetterParser.Parse(queue, message.BasicProperties, message.Body);
                var deadLetter = detail.DeadLetter;
                if (!filter.Matches(deadLetter) || options.Skip?.Invoke(deadLetter.MessageId) == true)
                    continue; // held unacked; requeued in place when the channel closes

                if (options.DryRun)
                {
                    Record(new MoveOutcome(deadLetter.MessageId, queue, replay ? deadLetter.OriginalQueue : null,
                        replay ? "would-replay" : "would-purge"));
                    options.Progress?.Report(new MoveProgress(scanned, total, done));
                    continue;
                }

                await PaceAsync(pace, done, options.Rate, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                    break;
                if (replay)
                {
                    var target = deadLetter.OriginalQueue;
                    if (!existingTargets.TryGetValue(target, out var exists))
                        existingTargets[target] = exists = await BrokerConnector.PeekQueueAsync(connection, target, cancellationToken) is not null;
                    if (!exists)
                    {
                        Record(new MoveOutcome(deadLetter.MessageId, queue, target, "failed",
                            $"queue '{target}' does not exist; start the worker once so it declares it, then replay again"));
                        continue;
                    }
                    // A replay is a new start for Novu's idempotency too (see WithoutFaultHeaders).
                    var lineage = "replay-" + Guid.NewGuid().ToString("N");
                    try
                    {
                        // Not cancellable: once published, the ack must follow (see remarks).
                        await channel.BasicPublishAsync("", target, mandatory: true, WithoutFaultHeaders(message.BasicProperties, lineage),
                            EnvelopeWithoutFaultHeaders(message.Body, lineage), CancellationToken.None);
                    }
                    catch (PublishException ex)
                    {
                        Record(new MoveOutcome(deadLetter.MessageId, queue, target, "failed",
                            ex.IsReturn ? $"queue '{target}' did not take the message" : "the broker did not confirm the message"));
                        continue;
                    }
                    await channel.BasicAckAsync(message.DeliveryTag, multiple: false, CancellationToken.None);
                    Record(new MoveOutcome(deadLetter.MessageId, queue, target, "replayed"));
                    await RecordReplayAsync(channel, deadLetter, message.BasicProperties, options.By);
                }
                else
                {
                    if (options.Export is { } export)
                    {
                        // Recorded before it is removed: a purge never throws away what it did not write down.
                        await export.WriteLineAsync(JsonSerializer.Serialize(detail, OperationsJson.Options));
                        await export.FlushAsync(CancellationToken.None);
                    }
                    await channel.BasicAckAsync(message.DeliveryTag, multiple: false, CancellationToken.None);
                    Record(new MoveOutcome(deadLetter.MessageId, queue, null, "purged"));
                }
                done++;
                options.Progress?.Report(new MoveProgress(scanned, total, done));
            }
            await channel.CloseAsync(CancellationToken.None); // requeues every message held
        }

        var failed = outcomes.Count(o => o.Outcome == "failed");
        return new MoveReport(replay ? "replay" : "purge", options.DryRun, outcomes.Count, done, failed, outcomes, unread > 0 ? unread : null);
    }

    // What RabbitMQ itself recorded: the deaths of the dead letter's last life (a wait queue's expiry, the delivery limit),
    // and the quorum queue's count of its returns, which reading an _error queue raises too. RabbitMQ 4.x starts a
    // message's count in its new queue from an x-delivery-count it carries: a replay must not bring the old one.
    static readonly string[] BrokerDeathHeaders = ["x-death", "x-first-death-", "x-last-death-", DeadLetterParser.DeliveryCountHeader];

    static bool IsFaultHeader(string name) =>
        DeadLetterHeaders.FaultHeaderPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) ||
        BrokerDeathHeaders.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The original properties (message_id, content type, persistence) without the fault and redelivery headers, and
    /// with a new idempotency-key lineage: Novu replays the answer an old key got (the very error being replayed past)
    /// for 24 h, so a replay must present keys Novu has never seen.
    /// </summary>
    static BasicProperties WithoutFaultHeaders(IReadOnlyBasicProperties original, string lineage)
    {
        var properties = new BasicProperties(original);
        var headers = original.Headers?.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value) ?? [];
        headers[DeadLetterHeaders.IdempotencyLineage] = lineage;
        properties.Headers = headers;
        return properties;
    }

    /// <summary>
    /// The body with the same fault headers removed from the MassTransit envelope's own <c>headers</c>. A message that
    /// went through a wait queue carries <c>MT-Redelivery-Count</c> and <c>SNW-*</c> there too, and MassTransit reads
    /// them from the envelope as well as from the transport: leaving them would replay it with its budget used up.
    /// The event, the envelope's messageId and everything else stay as they were; a body that is not such an
    /// envelope is sent unchanged.
    /// </summary>
    static ReadOnlyMemory<byte> EnvelopeWithoutFaultHeaders(ReadOnlyMemory<byte> body, string lineage)
    {
        JsonNode? envelope;
        try
        {
            envelope = JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            return body;
        }
        if (envelope?["headers"] is not JsonObject headers)
            return body;
        var stale = headers.Select(h => h.Key).Where(IsFaultHeader).ToList();
        foreach (var name in stale)
            headers.Remove(name);
        headers[DeadLetterHeaders.IdempotencyLineage] = lineage;
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    /// <summary>
    /// Tells the delivery log that the event was replayed, and by whom. Best effort: the replay is done whatever
    /// becomes of this line (a broker without the stream drops it unrouted).
    /// </summary>
    static async Task RecordReplayAsync(IChannel channel, DeadLetter deadLetter, IReadOnlyBasicProperties properties, string? by)
    {
        var userKey = properties.Headers?.TryGetValue(DeadLetterHeaders.UserKey, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        var step = new DeliveryStep(DateTimeOffset.UtcNow, deadLetter.MessageId, DeliverySteps.Replayed, Type: deadLetter.Type, UserKey: userKey,
            UserId: deadLetter.UserId, Event: deadLetter.EventName, Reason: deadLetter.Reason, By: by ?? "unknown",
            Detail: $"from {deadLetter.Queue} to {deadLetter.OriginalQueue}");
        try
        {
            await channel.BasicPublishAsync("", DeliveryLogStream.Name, mandatory: false, DeliveryLogStream.Serialize([step]), CancellationToken.None);
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException)
        {
        }
    }

    /// <summary>Keeps to <paramref name="rate"/> messages per second over the whole run.</summary>
    static async Task PaceAsync(Stopwatch pace, int done, double? rate, CancellationToken cancellationToken)
    {
        if (rate is not > 0 || done == 0)
            return;
        var due = TimeSpan.FromSeconds(done / rate.Value) - pace.Elapsed;
        if (due <= TimeSpan.Zero)
            return;
        try
        {
            await Task.Delay(due, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller stops before the next message.
        }
    }
}
