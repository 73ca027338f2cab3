using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Admin;

/// <summary>How the console writes times and JSON: UTC with the age beside it, JSON indented (Razor encodes both).</summary>
public static class ConsoleText
{
    // Relaxed escaping: a "<" in an event shows as "<" (Razor HTML-encodes it), not as \u003C.
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Age(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        if (age < TimeSpan.Zero)
            return "in the future";
        return age switch
        {
            { TotalSeconds: < 60 } => $"{(int)age.TotalSeconds} s ago",
            { TotalMinutes: < 60 } => $"{(int)age.TotalMinutes} min ago",
            { TotalHours: < 48 } => $"{(int)age.TotalHours} h ago",
            _ => $"{(int)age.TotalDays} days ago",
        };
    }

    public static string Json(JsonNode? node) => node?.ToJsonString(Indented) ?? "(none)";

    public static string Json(object value) => JsonSerializer.Serialize(value, SegmentNovuWorker.Operations.OperationsJson.Indented);
}
