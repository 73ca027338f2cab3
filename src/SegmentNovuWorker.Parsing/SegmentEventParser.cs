using System.Runtime.InteropServices;
using System.Text.Json;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Parsing;

/// <summary>One event read: its message, or why it cannot be one. <see cref="OptedOut"/>: valid, but not for Novu.</summary>
public sealed record EventOutcome(ISegmentEvent? Event, string? Error, bool OptedOut = false);

/// <summary>
/// Reads one Segment Spec event into its typed message. Tolerant of fields it does not know; strict about the few it
/// needs: <c>type</c>, a <c>userId</c> or <c>anonymousId</c>, <c>event</c> on a track, <c>groupId</c> on a group,
/// <c>previousId</c> on an alias.
/// </summary>
public static class SegmentEventParser
{
    /// <summary>A webhook body (one event, or an array of them): see <see cref="SegmentRequestParser"/>.</summary>
    public static ParseResult Parse(ReadOnlyMemory<byte> body) =>
        SegmentRequestParser.Parse(body, RequestShape.Webhook, limits: SegmentLimits.Webhook);

    /// <param name="element">The event.</param>
    /// <param name="impliedType">The type the endpoint implies (<c>/v1/track</c> → track); used when the event has none.</param>
    /// <param name="batchContext">A <c>/v1/batch</c>'s top-level <c>context</c>, for an event without its own.</param>
    /// <param name="batchIntegrations">A <c>/v1/batch</c>'s top-level <c>integrations</c>, for an event without its own.</param>
    public static EventOutcome ParseEvent(JsonElement element, string? impliedType = null,
        JsonElement? batchContext = null, JsonElement? batchIntegrations = null)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return Invalid($"An event must be a JSON object, not {element.ValueKind}.");
        // Before anything is done with it: every string must be text the serializer can write, every id and name short.
        if (!Decodes(element))
            return Invalid(SegmentRequestParser.NotUnicode);
        if (OverBound(element) is { } tooLong)
            return Invalid(tooLong);

        var type = SegmentJson.String(element, "type");
        if (type is null && element.TryGetProperty("type", out _))
            return Invalid("The event's \"type\" must be a string.");
        type ??= impliedType;
        if (type is not { Length: > 0 })
            return Invalid($"The event has no \"type\" ({SegmentCalls.Names}).");
        if (SegmentCalls.ByName(type) is not { } call)
            return Invalid($"Unsupported event type \"{type}\".");
        if (impliedType is not null && type != impliedType)
            return Invalid($"A \"{type}\" event cannot be sent to /v1/{impliedType}.");

        var userId = SegmentJson.Identifier(element, "userId");
        var anonymousId = SegmentJson.Identifier(element, "anonymousId");
        if (userId is null && anonymousId is null)
            return Invalid("The event has neither a \"userId\" nor an \"anonymousId\".");

        var fields = new SegmentEventFields(MessageIdOf(element), userId, anonymousId, SegmentJson.Timestamp(element),
            SegmentJson.Object(element, "context") ?? batchContext);
        var read = call.Read(fields, element);
        if (read.Error is { } error)
            return Invalid(error);

        var integrations = SegmentJson.Object(element, "integrations") ?? batchIntegrations;
        return new EventOutcome(read.Event, null, OptedOut: !IsForNovu(integrations));
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

    /// <summary>
    /// Segment's messageId, or one derived from the event's bytes so the same event keeps one identity; derived too when
    /// the given one is over <see cref="SegmentLimits.MaxMessageIdLength"/> or not text, so that an event set aside for
    /// it still has an id that fits a message header.
    /// </summary>
    public static string MessageIdOf(JsonElement element)
    {
        try
        {
            if (element.ValueKind == JsonValueKind.Object && SegmentJson.String(element, "messageId") is { Length: > 0 and <= SegmentLimits.MaxMessageIdLength } id)
                return id;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape: the id cannot be text, so the bytes identify the event.
        }
        return SegmentMessageIds.Derive(JsonMarshal.GetRawUtf8Value(element));
    }

    /// <summary>An id of an event set aside, or null when it is over <see cref="SegmentLimits.MaxFieldLength"/> or not text.</summary>
    public static string? IdentifierOf(JsonElement element, string name)
    {
        try
        {
            return SegmentJson.Identifier(element, name) is { Length: <= SegmentLimits.MaxFieldLength } id ? id : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    static readonly (string Field, int Max)[] BoundedFields =
    [
        ("messageId", SegmentLimits.MaxMessageIdLength),
        ("userId", SegmentLimits.MaxFieldLength),
        ("anonymousId", SegmentLimits.MaxFieldLength),
        ("groupId", SegmentLimits.MaxFieldLength),
        ("previousId", SegmentLimits.MaxFieldLength),
        ("event", SegmentLimits.MaxFieldLength),
        ("name", SegmentLimits.MaxFieldLength),
    ];

    /// <summary>Why one of the event's ids or names is too long to carry, or null.</summary>
    static string? OverBound(JsonElement element)
    {
        foreach (var (field, max) in BoundedFields)
        {
            if (!element.TryGetProperty(field, out var value))
                continue;
            var length = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!.Length,
                JsonValueKind.Number => value.GetRawText().Length,
                _ => 0,
            };
            if (length > max)
                return $"The event's \"{field}\" is {length} characters long; at most {max} are accepted" +
                    (field == "messageId" ? " (Segment's own limit)." : ".");
        }
        return null;
    }

    /// <summary>
    /// Whether every string and property name of the event decodes to valid UTF-16. The body's bytes are checked as UTF-8
    /// already; what is left is a lone surrogate written as an escape (<c>"\ud800"</c>), which the parser keeps but the
    /// serializer refuses, so that the event could never be published.
    /// </summary>
    static bool Decodes(JsonElement element)
    {
        if (JsonMarshal.GetRawUtf8Value(element).IndexOf("\\u"u8) < 0)
            return true;
        try
        {
            Walk(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Walk(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _ = value.GetString();
                    break;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        _ = property.Name;
                        Walk(property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                        Walk(item);
                    break;
            }
        }
    }

    static EventOutcome Invalid(string reason) => new(null, reason);
}
