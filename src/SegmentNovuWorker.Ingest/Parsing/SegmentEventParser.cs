using System.Text;
using System.Text.Json;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Parsing;

/// <summary>What was wrong with an event, and where (its index in a batch, or null for a single event).</summary>
public sealed record EventError(int? Index, string Detail);

/// <summary>A request body parsed into typed messages, or the reasons it could not be.</summary>
public sealed record ParseResult(IReadOnlyList<ISegmentEvent> Events, IReadOnlyList<EventError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads Segment Spec JSON: one event object, or an array of them (the Actions webhook's batch mode). Tolerant of
/// fields it does not know; strict about the few it needs (<c>type</c>, and <c>event</c> on a track).
/// </summary>
public static class SegmentEventParser
{
    public static ParseResult Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return new ParseResult([], [new EventError(null, $"The body is not valid JSON: {ex.Message}")]);
        }

        using (document)
        {
            var root = document.RootElement;
            var events = new List<ISegmentEvent>();
            var errors = new List<EventError>();
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    Add(root, null, events, errors);
                    break;
                case JsonValueKind.Array when root.GetArrayLength() == 0:
                    errors.Add(new EventError(null, "The batch is empty."));
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var element in root.EnumerateArray())
                        Add(element, index++, events, errors);
                    break;
                default:
                    errors.Add(new EventError(null, $"The body must be a Segment event object or an array of them, not {root.ValueKind}."));
                    break;
            }
            return new ParseResult(events, errors);
        }
    }

    static void Add(JsonElement element, int? index, List<ISegmentEvent> events, List<EventError> errors)
    {
        var (message, error) = ParseEvent(element);
        if (error is not null)
            errors.Add(new EventError(index, error));
        else
            events.Add(message!);
    }

    /// <summary>One Segment event to its typed message.</summary>
    public static (ISegmentEvent? Event, string? Error) ParseEvent(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return (null, $"An event must be a JSON object, not {element.ValueKind}.");
        if (String(element, "type") is not { Length: > 0 } type)
            return (null, "The event has no \"type\" (identify, track, …).");

        var messageId = String(element, "messageId") is { Length: > 0 } id
            ? id
            : SegmentMessageIds.Derive(Encoding.UTF8.GetBytes(element.GetRawText()));
        var userId = Identifier(element, "userId");
        var anonymousId = Identifier(element, "anonymousId");
        var timestamp = Timestamp(element);
        var context = Object(element, "context");

        switch (type)
        {
            case "identify":
                return (new IdentifyEvent(messageId, userId, anonymousId, timestamp, context, Object(element, "traits")), null);
            case "track":
                if (String(element, "event") is not { Length: > 0 } name)
                    return (null, "A track event needs a non-empty \"event\" name.");
                return (new TrackEvent(messageId, userId, anonymousId, timestamp, context, name, Object(element, "properties")), null);
            default:
                return (null, $"Unsupported event type \"{type}\".");
        }
    }

    static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Segment ids are strings, but some senders put numbers there; both are kept as text.</summary>
    static string? Identifier(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String when value.GetString() is { Length: > 0 } s => s,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    static DateTimeOffset? Timestamp(JsonElement element) =>
        (String(element, "timestamp") ?? String(element, "originalTimestamp")) is { } text
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
