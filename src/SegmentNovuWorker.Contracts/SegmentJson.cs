using System.Globalization;
using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>Tolerant readers for Segment Spec fields: a field of the wrong JSON kind reads as absent.</summary>
public static class SegmentJson
{
    public static string? String(JsonElement element, string name) =>
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

    /// <summary><c>timestamp</c>, else <c>originalTimestamp</c>.</summary>
    public static DateTimeOffset? Timestamp(JsonElement element) =>
        (String(element, "timestamp") ?? String(element, "originalTimestamp")) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
