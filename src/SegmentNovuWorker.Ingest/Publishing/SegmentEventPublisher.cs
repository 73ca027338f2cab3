using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Publishing;

/// <summary>The broker did not confirm every message in time; the caller must answer 503 and let Segment retry.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner) : Exception(message, inner);

/// <summary>
/// Publishes parsed Segment events with MassTransit and returns only once RabbitMQ confirmed each one
/// (publisher confirms), so a 2xx from the API means the events are durable in their queues.
/// </summary>
public sealed class SegmentEventPublisher(IPublishEndpoint publishEndpoint, IOptions<IngestOptions> options, ILogger<SegmentEventPublisher> logger)
{
    public async Task PublishAsync(IReadOnlyList<ISegmentEvent> events, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            await Task.WhenAll(events.Select(e => PublishOneAsync(e, timeout.Token)));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Some messages of the request may be confirmed already; Segment's retry re-sends them with the same
            // messageId, and the worker's idempotency (Novu transactionId, Idempotency-Key) absorbs the repeat.
            throw new BrokerUnavailableException(ex is OperationCanceledException
                ? $"The broker did not confirm the messages within {options.Value.PublishTimeout.TotalSeconds:0.#} s."
                : $"The broker refused the messages: {ex.Message}", ex);
        }
    }

    async Task PublishOneAsync(ISegmentEvent segmentEvent, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginSegmentMessageScope(segmentEvent.MessageId);
        await publishEndpoint.Publish(segmentEvent, segmentEvent.GetType(), Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = SegmentMessageIds.ToMessageGuid(segmentEvent.MessageId);
            context.Headers.Set(DeadLetterHeaders.SegmentMessageId, segmentEvent.MessageId);
            // A message no queue takes must fail the publish (and so the request), not vanish.
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.Mandatory = true;
        }), cancellationToken);
        logger.LogDebug("Published {EventType} {SegmentMessageId}", segmentEvent.GetType().Name, segmentEvent.MessageId);
    }
}
