using System.Collections.Concurrent;
using System.Runtime.Serialization;
using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Ingest.Publishing;

/// <summary>The broker did not confirm every message in time; the caller must answer 503 and let Segment retry.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner) : Exception(message, inner);

/// <summary>An event whose message the serializer refused: it was not published, and no retry would publish it.</summary>
public sealed record UnpublishableEvent(ISegmentEvent Event, string Reason);

/// <summary>
/// Publishes parsed Segment events with MassTransit, each to its user's partition, and returns only once RabbitMQ
/// confirmed each one (publisher confirms), so a 2xx from the API means the events are durable in their queues.
/// </summary>
/// <remarks>
/// Order: a user's events are published one after another, each after the previous one's confirm, so they enter their
/// partition queue in the order of the request (RabbitMQ keeps a channel's order into one queue, but concurrent publishes
/// through MassTransit's pipeline may reach the channel in any order). Different users go in parallel.
/// <para>
/// An event whose message the serializer refuses (<see cref="SerializationException"/>, which MassTransit throws before
/// sending: the message never reached the broker) is left out alone and returned with its reason, and the same user's
/// later events are published as if it had not been sent (docs/ingest.md): only what the broker did not confirm makes the
/// request fail.
/// </para>
/// </remarks>
public sealed class SegmentEventPublisher(
    IPublishEndpoint publishEndpoint,
    IOptions<IngestOptions> options,
    IOptions<TopologyOptions> topology,
    ILogger<SegmentEventPublisher> logger)
{
    /// <param name="publishTimeout">The request's wait for confirms; <c>Ingest:PublishTimeout</c> when not given.</param>
    /// <param name="confirmed">Gets the <c>messageId</c> of each event as soon as the broker confirmed it, so that a caller
    /// whose wait runs out knows which ones are in their queues.</param>
    /// <returns>The events the serializer refused, with why; every other event is confirmed.</returns>
    /// <exception cref="BrokerUnavailableException">The broker did not confirm every other event in time, or refused one.</exception>
    public async Task<IReadOnlyList<UnpublishableEvent>> PublishAsync(IReadOnlyList<ISegmentEvent> events, CancellationToken cancellationToken,
        TimeSpan? publishTimeout = null, ConcurrentQueue<string>? confirmed = null)
    {
        var wait = publishTimeout ?? options.Value.PublishTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        var partitions = topology.Value.Partitions;
        var unpublishable = new ConcurrentQueue<UnpublishableEvent>();
        try
        {
            await Task.WhenAll(events
                .GroupBy(e => e is RejectedEvent ? null : SegmentCalls.UserKeyOf(e))
                .Select(lane => PublishInOrderAsync(lane.Key is null ? -1 : SegmentPartitions.PartitionOf(lane.Key, partitions), lane, confirmed,
                    unpublishable, timeout.Token)));
            return [.. unpublishable];
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The confirmed ones are in their queues: the caller remembers them (ConfirmedEvents), so that Segment's retry
            // publishes only the rest.
            throw new BrokerUnavailableException(ex is OperationCanceledException
                ? $"The broker did not confirm the messages within {wait.TotalSeconds:0.#} s."
                : $"The broker refused the messages: {ex.Message}", ex);
        }
    }

    async Task PublishInOrderAsync(int partition, IEnumerable<ISegmentEvent> events, ConcurrentQueue<string>? confirmed,
        ConcurrentQueue<UnpublishableEvent> unpublishable, CancellationToken cancellationToken)
    {
        foreach (var segmentEvent in events)
        {
            try
            {
                await PublishOneAsync(segmentEvent, partition, cancellationToken);
            }
            catch (SerializationException ex)
            {
                // Serialized before anything is sent: the broker never saw it, and the channel is as it was.
                unpublishable.Enqueue(new UnpublishableEvent(segmentEvent, ReasonOf(ex)));
                continue;
            }
            confirmed?.Enqueue(segmentEvent.MessageId);
        }
    }

    /// <summary>The serializer's own words, innermost first (MassTransit's wrapper says only "Failed to serialize message").</summary>
    static string ReasonOf(SerializationException ex) =>
        $"The event could not be written as a message: {(ex.InnerException ?? ex).GetBaseException().Message}";

    /// <remarks>
    /// The wait ends with <paramref name="cancellationToken"/> whatever MassTransit does: a publish whose channel is still
    /// being set up (its exchanges and queues declared, once per channel) when the token fires can stay pending for good
    /// (MassTransit 8.5 runs that setup once per channel with the first publisher's token, RabbitMQ.Client 7 may never end
    /// a declare cancelled in flight, and every later publisher awaits the setup without its own token), which left the
    /// request, and every later one, without an answer. Seen as a hang in <c>When_one_users_run_outlasts_the_wait</c>
    /// with a 250 ms wait; with this the request is answered 503 instead.
    /// </remarks>
    async Task PublishOneAsync(ISegmentEvent segmentEvent, int partition, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginSegmentMessageScope(segmentEvent.MessageId);
        using var span = SegmentTracing.StartPublish(segmentEvent.MessageId,
            segmentEvent is RejectedEvent ? SegmentQueues.Rejected : SegmentCalls.Of(segmentEvent).Name, (segmentEvent as TrackEvent)?.Event);
        await publishEndpoint.Publish(segmentEvent, segmentEvent.GetType(), Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = SegmentMessageIds.ToMessageGuid(segmentEvent.MessageId);
            context.Headers.Set(DeadLetterHeaders.SegmentMessageId, segmentEvent.MessageId);
            if (segmentEvent is not RejectedEvent)
            {
                context.Headers.Set(DeadLetterHeaders.SegmentCall, SegmentCalls.Of(segmentEvent).Name);
                context.Headers.Set(DeadLetterHeaders.UserKey, SegmentCalls.UserKeyOf(segmentEvent));
            }
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                // A message no queue takes must fail the publish (and so the request), not vanish.
                rabbit.Mandatory = true;
                if (partition >= 0)
                    rabbit.RoutingKey = BusConfiguration.RoutingKeyOf(partition);
            }
        }), cancellationToken).WaitAsync(cancellationToken);
        logger.LogDebug("Published {EventType} {SegmentMessageId} to partition {Partition}", segmentEvent.GetType().Name, segmentEvent.MessageId, partition);
    }
}
