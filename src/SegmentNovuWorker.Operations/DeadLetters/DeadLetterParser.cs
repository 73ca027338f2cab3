using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>
/// Reads a dead letter from its AMQP properties and MassTransit envelope body. Tolerant: a body that is not
/// JSON, or headers that are missing, give nulls and <c>unknown</c>, never an exception.
/// </summary>
public static class DeadLetterParser
{
    public const string UnknownReason = "unknown";

    /// <summary>Set by a quorum queue on every delivery: how many times the message was returned to it.</summary>
    public const string DeliveryCountHeader = QueueArguments.DeliveryCountHeader;

    /// <summary>The worker's reason classes, for dead letters written before it set <c>SNW-Reason</c>.</summary>
    static readonly (string ExceptionType, string Reason)[] ReasonsByException =
    [
        ("NovuRejectedException", FailureReasons.NovuRejected),
        ("NovuRetryableException", FailureReasons.NovuUnavailableExhausted),
        ("UnmappedEventException", FailureReasons.UnmappedEvent),
        ("MissingUserIdException", FailureReasons.MissingUserId),
        ("SerializationException", FailureReasons.InvalidMessage),
    ];

    public static DeadLetterDetail Parse(string queue, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = ReadHeaders(properties.Headers);
        // The quorum queue's count of the message's returns: reading the _error queue raises it, so it only says how
        // often this dead letter has been read, and two reads of the same one would differ.
        headers = new SortedDictionary<string, string?>(headers.Where(h => h.Key != DeliveryCountHeader).ToDictionary(), StringComparer.Ordinal);
        var envelope = TryParse(body);
        var message = envelope?["message"];

        var exceptionType = Header(headers, "MT-Fault-ExceptionType");
        var segmentMessageId = Header(headers, DeadLetterHeaders.SegmentMessageId)
            ?? Text(message, "messageId")
            ?? properties.MessageId
            ?? "(none)";

        var deadLetter = new DeadLetter(
            Queue: queue,
            OriginalQueue: OriginalQueueOf(queue, Header(headers, "MT-Fault-InputAddress")),
            MessageId: segmentMessageId,
            Type: Header(headers, DeadLetterHeaders.SegmentCall) ?? TypeOf(envelope, queue),
            EventName: Text(message, "event") ?? Text(message, "name"), // a track's event, a page's or screen's name
            UserId: Text(message, "userId"),
            Reason: Header(headers, DeadLetterHeaders.Reason) ?? BrokerReasonOf(properties.Headers) ?? ReasonOf(exceptionType),
            HttpStatus: Int(Header(headers, DeadLetterHeaders.HttpStatus)),
            NovuMessage: Header(headers, DeadLetterHeaders.NovuMessage),
            Attempts: Int(Header(headers, DeadLetterHeaders.Attempts)) ?? Int(Header(headers, "MT-Fault-RetryCount")) + 1,
            Redeliveries: Int(Header(headers, DeadLetterHeaders.Redeliveries)) ?? Int(Header(headers, "MT-Redelivery-Count")),
            FirstFailureAt: Time(Header(headers, DeadLetterHeaders.FirstFailureAt)),
            LastFailureAt: Time(Header(headers, DeadLetterHeaders.LastFailureAt)) ?? Time(Header(headers, "MT-Fault-Timestamp")),
            ExceptionType: exceptionType,
            ExceptionMessage: Header(headers, "MT-Fault-Message"));

        return new DeadLetterDetail(deadLetter, properties.MessageId, properties.ContentType, headers, message?.DeepClone(), envelope);
    }

    /// <summary>Where MassTransit received it (<c>MT-Fault-InputAddress</c>'s last segment), else the queue name without <c>_error</c>.</summary>
    public static string OriginalQueueOf(string errorQueue, string? inputAddress)
    {
        if (Uri.TryCreate(inputAddress, UriKind.Absolute, out var address))
        {
            var name = address.Segments[^1].Trim('/');
            if (name.Length > 0)
                return Uri.UnescapeDataString(name);
        }
        return SegmentQueues.MainQueueOf(errorQueue);
    }

    /// <summary>
    /// <see cref="FailureReasons.DeliveryLimit"/> when RabbitMQ itself moved the message here for its delivery limit: its
    /// latest death (the first entry of <c>x-death</c>) says <c>delivery_limit</c>. Earlier deaths (<c>expired</c>, from a
    /// wait queue) say nothing about why it is in <c>_error</c>.
    /// </summary>
    static string? BrokerReasonOf(IDictionary<string, object?>? headers) =>
        headers?.TryGetValue("x-death", out var deaths) == true && deaths is IEnumerable<object?> list
        && list.FirstOrDefault() is IDictionary<string, object?> latest
        && latest.TryGetValue("reason", out var reason) && AsText(reason) == "delivery_limit"
            ? FailureReasons.DeliveryLimit
            : null;

    static string ReasonOf(string? exceptionType)
    {
        if (exceptionType is null)
            return UnknownReason;
        foreach (var (type, reason) in ReasonsByException)
        {
            if (exceptionType.EndsWith(type, StringComparison.Ordinal))
                return reason;
        }
        return UnknownReason;
    }

    /// <summary>The call from MassTransit's envelope: "urn:message:SegmentNovuWorker.Contracts:TrackEvent" → "track".</summary>
    static string TypeOf(JsonNode? envelope, string queue)
    {
        if (envelope?["messageType"] is JsonArray { Count: > 0 } types && types[0]?.GetValueKind() == JsonValueKind.String)
        {
            var typeName = types[0]!.GetValue<string>().Split(':')[^1];
            if (SegmentCalls.All.FirstOrDefault(c => c.MessageType.Name == typeName) is { } call)
                return call.Name;
        }
        // No envelope: a queue of the per-call topology before partitions says it, "segment-page_error" → "page".
        var original = SegmentQueues.MainQueueOf(queue);
        return original.StartsWith(SegmentQueues.Prefix, StringComparison.Ordinal)
            && SegmentCalls.ByName(original[SegmentQueues.Prefix.Length..]) is { } legacy ? legacy.Name : "unknown";
    }

    static JsonNode? TryParse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    static string? Header(IReadOnlyDictionary<string, string?> headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    static int? Int(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;

    /// <summary>AMQP header values as text: strings arrive as UTF-8 bytes, numbers boxed, lists as lists.</summary>
    public static IReadOnlyDictionary<string, string?> ReadHeaders(IDictionary<string, object?>? headers)
    {
        var result = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in headers ?? new Dictionary<string, object?>())
            result[key] = AsText(value);
        return result;
    }

    static string? AsText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IDictionary<string, object?> table => "{" + string.Join(", ", table.Select(e => $"{e.Key}={AsText(e.Value)}")) + "}",
        IEnumerable<object?> list => "[" + string.Join(", ", list.Select(AsText)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
