using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// Reading a JSON string field the way Novu's validation does: a field of another type (a number, an object) is not a
/// string, and gets the endpoint's 422, never an exception (a 500).
/// </summary>
static class JsonStrings
{
    /// <summary>The string <paramref name="node"/> holds, or null when it is missing or not a string.</summary>
    public static string? StringOf(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool IsString(JsonNode? node) => StringOf(node) is not null;
}
