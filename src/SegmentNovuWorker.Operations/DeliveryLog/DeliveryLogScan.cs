using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeliveryLog;

/// <summary>
/// Reads the delivery log's stream from a point in time to its end, for <c>segment-novu events</c> (the admin process keeps an
/// index instead). The end is known by a marker this reader appends and waits to read back, as the ingest's tickets do.
/// </summary>
public sealed class DeliveryLogScan(BrokerConnector connector)
{
    /// <summary>How far back a search reads when it names no start.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(1);

    public async Task<DeliveryLogPage> SearchAsync(DeliveryLogFilter filter, CancellationToken cancellationToken)
    {
        var from = filter.Since ?? DateTimeOffset.UtcNow - DefaultWindow;
        var steps = await ReadAsync(from, cancellationToken);
        return new DeliveryLogPage(filter.Apply(steps), steps.Count == 0 ? null : steps.Max(s => s.At));
    }

    async Task<List<DeliveryStep>> ReadAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        await using var connection = await connector.ConnectAsync(cancellationToken);
        if (await BrokerConnector.PeekQueueAsync(connection, DeliveryLogStream.Name, cancellationToken) is null)
            throw new OperatorException(ExitCodes.NotFound,
                $"There is no delivery log ({DeliveryLogStream.Name}) in virtual host '{connector.Settings.VirtualHost}': has a worker with DeliveryLog:Enabled run against it?");

        var marker = "scan-" + Guid.NewGuid().ToString("N");
        var read = Channel.CreateUnbounded<(IReadOnlyList<DeliveryStep> Steps, bool End)>();
        await using var reader = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await reader.BasicQosAsync(0, 200, false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(reader);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var steps = DeliveryLogStream.Deserialize(delivery.Body.Span, DeliveryLogStream.OffsetOf(delivery.BasicProperties));
            await read.Writer.WriteAsync((steps, steps.Any(s => s.Step == DeliverySteps.Marker && s.MessageId == marker)));
            await reader.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        // A stream is read from a point in time to the chunk: a few earlier steps may come too, the filter drops them.
        await reader.BasicConsumeAsync(DeliveryLogStream.Name, autoAck: false, consumerTag: "", noLocal: false, exclusive: false,
            new Dictionary<string, object?> { ["x-stream-offset"] = new AmqpTimestamp(from.ToUnixTimeSeconds()) }, consumer, cancellationToken);

        await using (var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken))
        {
            await publisher.BasicPublishAsync("", DeliveryLogStream.Name, mandatory: false,
                DeliveryLogStream.Serialize([new DeliveryStep(DateTimeOffset.UtcNow, marker, DeliverySteps.Marker)]), cancellationToken);
        }

        var all = new List<DeliveryStep>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await foreach (var (steps, end) in read.Reader.ReadAllAsync(timeout.Token))
        {
            all.AddRange(steps.Where(s => s.Step != DeliverySteps.Marker && s.At >= from));
            if (end)
                break;
        }
        return all;
    }
}
