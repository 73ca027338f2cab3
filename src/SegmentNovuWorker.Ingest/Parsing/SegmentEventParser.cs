using System.Globalization;
using System.Text;
using System.Text.Json;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Parsing;

/// <summary>One event read: its message, or why it cannot be one. <see cref="OptedOut"/>: valid, but not for Novu.</summary>
public sealed record EventOutcome(ISegmentEvent? Event, string? Error, bool OptedOut = false);

/// <summary>
/// Reads one Segment Spec event into its typed message. Tolerant of fields it does not know; strict about the few it
/// needs: <c>type</c>, a <c>userId</c> or <c>anonymousId</c>, <c>event</c> on a track, <c>groupId</c> on a group,
/// <c>previousId</c> on an alias.
/// </summary>
public static class SegmentEventParser
{
    static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "identify", "track", "page", "screen", "group", "alias", "delete" };

    /// <summary>A webhook body (one event, or an array of them): see <see cref="SegmentRequestParser"/>.</summary>
    public static ParseResult Parse(ReadOnlyMemory<byte> body) => SegmentRequestParser.Parse(body, RequestShape.Webhook);

    /// <param name="element">The event.</param>
    /// <param name="impliedType">The type the endpoint implies (<c>/v1/track</c> → track); used when the event has none.</param>
    /// <param name="batchContext">A <c>/v1/batch</c>'s top-level <c>context</c>, for an event without its own.</param>
    /// <param name="batchIntegrations">A <c>/v1/batch</c>'s top-level <c>integrations</c>, for an event without its own.</param>
    public static EventOutcome ParseEvent(JsonElement element, string? impliedType = null,
        JsonElement? batchContext = null, JsonElement? batchIntegrations = null)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return Invalid($"An event must be a JSON object, not {element.ValueKind}.");

        var type = String(element, "type");
        if (type is null && element.TryGetProperty("type", out _))
            return Invalid("The event's \"type\" must be a string.");
        type ??= impliedType;
        if (type is not { Length: > 0 })
            return Invalid("The event has no \"type\" (identify, track, page, screen, group, alias, delete).");
        if (!Types.Contains(type))
            return Invalid($"Unsupported event type \"{type}\".");
        if (impliedType is not null && type != impliedType)
            return Invalid($"A \"{type}\" event cannot be sent to /v1/{impliedType}.");

        var userId = Identifier(element, "userId");
        var anonymousId = Identifier(element, "anonymousId");
        if (userId is null && anonymousId is null)
            return Invalid("The event has neither a \"userId\" nor an \"anonymousId\".");

        var messageId = MessageIdOf(element);
        var timestamp = Timestamp(element);
        var context = Object(element, "context") ?? batchContext;

        ISegmentEvent message;
        switch (type)
        {
            case "identify":
                message = new IdentifyEvent(messageId, userId, anonymousId, timestamp, context, Object(element, "traits"));
                break;
            case "track":
                if (String(element, "event") is not { Length: > 0 } name)
                    return Invalid("A track event needs a non-empty \"event\" name.");
                message = new TrackEvent(messageId, userId, anonymousId, timestamp, context, name, Object(element, "properties"));
                break;
            case "page":
                message = new PageEvent(messageId, userId, anonymousId, timestamp, context, String(element, "name"), Object(element, "properties"));
                break;
            case "screen":
                message = new ScreenEvent(messageId, userId, anonymousId, timestamp, context, String(element, "name"), Object(element, "properties"));
                break;
            case "group":
                if (Identifier(element, "groupId") is not { } groupId)
                    return Invalid("A group event needs a \"groupId\".");
                message = new GroupEvent(messageId, userId, anonymousId, timestamp, context, groupId, Object(element, "traits"));
                break;
            case "alias":
                if (Identifier(element, "previousId") is not { } previousId)
                    return Invalid("An alias event needs a \"previousId\".");
                message = new AliasEvent(messageId, userId, anonymousId, timestamp, context, previousId);
                break;
            case "delete":
                message = new DeleteEvent(messageId, userId, anonymousId, timestamp, context);
                break;
            default:
                return Invalid($"Unsupported event type \"{type}\".");  // unreachable: Types lists every case above
        }

        var integrations = Object(element, "integrations") ?? batchIntegrations;
        return new EventOutcome(message, null, OptedOut: !IsForNovu(integrations));
    }

    /// <summary>
    /// Segment's per-destination switch: <c>{"Novu": false}</c> opts out, and so does <c>{"All": false}</c> unless
    /// <c>"Novu": true</c> opts back in.
    /// </summary>
    public static bool IsForNovu(JsonElement? integrations)
    {
        if (integrations is not { ValueKind: JsonValueKind.Object } i)
            return true;
        bool? novu = null, all = null;
        foreach (var property in i.EnumerateObject())
        {
            // true/false switch a destination; an object switches it on with settings for it.
            bool? on = property.Value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.Object => true,
                JsonValueKind.False => false,
                _ => null,
            };
            if (property.NameEquals("Novu"))
                novu = on;
            else if (property.NameEquals("All"))
                all = on;
        }
        return novu ?? all ?? true;
    }

    /// <summary>Segment's messageId, or one derived from the event's bytes so the same event keeps one identity.</summary>
    public static string MessageIdOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && String(element, "messageId") is { Length: > 0 } id
            ? id
            : SegmentMessageIds.Derive(Encoding.UTF8.GetBytes(element.GetRawText()));

    static EventOutcome Invalid(string reason) => new(null, reason);

    static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Segment ids are strings, but some senders put numbers there; both are kept as text.</summary>
    public static string? Identifier(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String when value.GetString() is { Length: > 0 } s => s,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    static DateTimeOffset? Timestamp(JsonElement element) =>
        (String(element, "timestamp") ?? String(element, "originalTimestamp")) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
