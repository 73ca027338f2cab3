using System.Text;
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

    /// <summary>Segment's messageId, or one derived from the event's bytes so the same event keeps one identity.</summary>
    public static string MessageIdOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && SegmentJson.String(element, "messageId") is { Length: > 0 } id
            ? id
            : SegmentMessageIds.Derive(Encoding.UTF8.GetBytes(element.GetRawText()));

    static EventOutcome Invalid(string reason) => new(null, reason);
}
