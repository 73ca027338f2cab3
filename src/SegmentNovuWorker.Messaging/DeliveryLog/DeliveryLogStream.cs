using System.Text.Json;
using System.Text.Json.Serialization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SegmentNovuWorker.Messaging.DeliveryLog;

/// <summary>
/// The stream <c>segment-delivery-log</c>: every step of every event, appended by every worker (and by the operator tool
/// for replays), read by the admin process into its index. Each stream message is a JSON array of steps: one publisher
/// flush, so a busy worker writes a few large messages rather than many small ones.
/// </summary>
public static class DeliveryLogStream
{
    public const string Name = SegmentQueues.DeliveryLog;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(IReadOnlyList<DeliveryStep> steps) => JsonSerializer.SerializeToUtf8Bytes(steps, Json);

    /// <summary>The steps of one stream message; none when it is not one of ours.</summary>
    public static IReadOnlyList<DeliveryStep> Deserialize(ReadOnlySpan<byte> body, long offset)
    {
        try
        {
            return JsonSerializer.Deserialize<DeliveryStep[]>(body, Json) is { } steps
                ? [.. steps.Where(s => s is { MessageId: not null, Step: not null }).Select(s => s with { Offset = offset })]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Creates the stream with <paramref name="options"/>' retention unless it exists: an existing stream keeps the
    /// arguments it was created with (RabbitMQ refuses a declaration that differs), so it is only looked up.
    /// </summary>
    public static async Task EnsureDeclaredAsync(IConnection connection, DeliveryLogOptions options, CancellationToken cancellationToken)
    {
        await using (var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            try
            {
                await probe.QueueDeclarePassiveAsync(Name, cancellationToken);
                return;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
            }
        }
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, options.StreamArguments(), cancellationToken: cancellationToken);
    }

    /// <summary>The <c>x-stream-offset</c> of a delivery from the stream.</summary>
    public static long OffsetOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue("x-stream-offset", out var value) == true ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : -1;
}
