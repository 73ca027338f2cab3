using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>The subscriber fields Novu accepts, both on <c>/v2/subscribers</c> and inline in a trigger's <c>to</c>.</summary>
static class SubscriberFields
{
    static readonly string[] StringFields = ["firstName", "lastName", "email", "phone", "avatar", "locale", "timezone"];

    /// <summary>The first field that is not a string or null (or a <c>data</c> that is not an object), or null when all are fine.</summary>
    public static string? Invalid(JsonObject body)
    {
        foreach (var field in StringFields)
        {
            if (body[field] is { } node && (node is not JsonValue v || !v.TryGetValue<string>(out _)))
                return field;
        }
        return body["data"] is { } data && data is not JsonObject ? "data" : null;
    }

    /// <summary>
    /// The subscriber fields of an inline <c>to</c> object. Novu's trigger DTO drops anything else, so a stray
    /// property never lands on the subscriber.
    /// </summary>
    public static JsonObject Pick(JsonObject to)
    {
        var fields = new JsonObject();
        foreach (var (key, value) in to)
        {
            if (key == "data" || StringFields.Contains(key))
                fields[key] = value?.DeepClone();
        }
        return fields;
    }
}
