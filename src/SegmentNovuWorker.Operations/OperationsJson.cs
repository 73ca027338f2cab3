using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegmentNovuWorker.Operations;

/// <summary>The JSON shape of every result, shared by <c>segment-novu --json</c>, NDJSON exports and the admin API.</summary>
public static class OperationsJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>For people reading a terminal: indented, and without escaping quotes or '+' as \u0027 or \u002B.</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
