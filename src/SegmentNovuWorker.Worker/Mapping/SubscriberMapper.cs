using System.Text.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>Segment identify traits → the body of Novu's subscriber upsert.</summary>
public static class SubscriberMapper
{
    /// <summary>Traits that become Novu's own subscriber fields rather than custom <c>data</c>.</summary>
    static readonly HashSet<string> ReservedTraits = new(StringComparer.Ordinal)
    {
        "firstName", "first_name", "lastName", "last_name", "name", "email", "phone", "avatar",
    };

    public static SubscriberUpsert ToSubscriber(IdentifyEvent identify, string subscriberId)
    {
        var traits = identify.Traits is { ValueKind: JsonValueKind.Object } t ? t : default;
        var firstName = Text(traits, "firstName") ?? Text(traits, "first_name");
        var lastName = Text(traits, "lastName") ?? Text(traits, "last_name");
        if (firstName is null && lastName is null && Text(traits, "name") is { } fullName)
            (firstName, lastName) = SplitName(fullName);

        return new SubscriberUpsert(
            subscriberId,
            FirstName: firstName,
            LastName: lastName,
            Email: Text(traits, "email"),
            Phone: Text(traits, "phone"),
            Avatar: Text(traits, "avatar"),
            Locale: Text(identify.Context, "locale"),
            Timezone: Text(identify.Context, "timezone"),
            Data: CustomData(traits));
    }

    /// <summary>"Peter Gibbons" → ("Peter", "Gibbons"); "Ada King Lovelace" → ("Ada", "King Lovelace"); "Cher" → ("Cher", null).</summary>
    public static (string? First, string? Last) SplitName(string name)
    {
        var parts = name.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            0 => (null, null),
            1 => (parts[0], null),
            _ => (parts[0], parts[1]),
        };
    }

    /// <summary>Every trait that is not a Novu field, as Novu's free-form <c>data</c>; null when there is none.</summary>
    static JsonObject? CustomData(JsonElement traits)
    {
        if (traits.ValueKind != JsonValueKind.Object)
            return null;
        var data = new JsonObject();
        foreach (var trait in traits.EnumerateObject())
        {
            if (ReservedTraits.Contains(trait.Name) && trait.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                continue;
            data[trait.Name] = JsonNode.Parse(trait.Value.GetRawText());
        }
        return data.Count == 0 ? null : data;
    }

    static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : null;
}
