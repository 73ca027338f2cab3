using System.Text.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Mapping;

/// <summary>The Segment calls a workflow rule can map.</summary>
public enum MappedCall
{
    Track,
    Page,
    Screen,
}

/// <summary>
/// A track, page or screen as mapping rules see it: its call, its name, and <see cref="Document"/>, the event as the
/// JSON that paths, conditions and templates address (<c>properties.total</c>, <c>context.traits.email</c>,
/// <c>timestamp</c>…).
/// </summary>
public sealed record MappingEvent(MappedCall Call, string? Name, string MessageId, string? UserId, string? AnonymousId, JsonObject Document)
{
    /// <summary>The Segment call in Segment's words (<c>track</c>, <c>page</c>, <c>screen</c>), for logs and metrics.</summary>
    public string Type => Call.ToString().ToLowerInvariant();

    public static MappingEvent From(TrackEvent track) => Create(MappedCall.Track, track, track.Event, "event", track.Properties);

    public static MappingEvent From(PageEvent page) => Create(MappedCall.Page, page, page.Name, "name", page.Properties);

    public static MappingEvent From(ScreenEvent screen) => Create(MappedCall.Screen, screen, screen.Name, "name", screen.Properties);

    static MappingEvent Create(MappedCall call, ISegmentEvent e, string? name, string nameField, JsonElement? properties)
    {
        var document = new JsonObject { ["type"] = call.ToString().ToLowerInvariant(), ["messageId"] = e.MessageId };
        Add(document, "userId", e.UserId);
        Add(document, "anonymousId", e.AnonymousId);
        if (e.Timestamp is { } timestamp)
            document["timestamp"] = timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Add(document, nameField, name);
        var context = Node(e.Context);
        if (context is not null)
            document["context"] = context;
        document["properties"] = Node(properties) ?? new JsonObject();
        // Segment puts a track's (and page's, screen's) traits in context.traits; "traits.plan" reads as in an identify.
        if (context is JsonObject c && c["traits"] is JsonObject traits)
            document["traits"] = traits.DeepClone();
        return new MappingEvent(call, name, e.MessageId, e.UserId, e.AnonymousId, document);
    }

    static void Add(JsonObject document, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            document[key] = value;
    }

    static JsonNode? Node(JsonElement? element) =>
        element is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } e ? JsonNode.Parse(e.GetRawText()) : null;
}
