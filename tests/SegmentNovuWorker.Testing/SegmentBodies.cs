using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// Random request bodies for property-based tests: Segment-like events with every required field sometimes missing,
/// empty or of the wrong JSON type, in single, array and <c>/v1/batch</c> shapes, and bodies broken at the byte level.
/// </summary>
public static class SegmentBodies
{
    static readonly string[] Types = ["identify", "track", "page", "screen", "group", "alias", "delete", "bogus", "", "Track"];

    /// <summary>A value for an id-like field: often a good one, sometimes empty, null, a number or the wrong type.</summary>
    static readonly Gen<JsonNode?> Id = Gen.Frequency(
        (4, Gen.Int[1, 999].Select(i => (JsonNode?)JsonValue.Create($"id-{i}"))),
        (1, Gen.Int[1, 999].Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Const(() => (JsonNode?)JsonValue.Create(""))),
        (1, Gen.Const(() => (JsonNode?)null)),
        (1, Gen.Const(() => (JsonNode?)new JsonObject())),
        (1, Gen.Const(() => (JsonNode?)new JsonArray(1, 2))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))));

    /// <summary>An object-valued field (traits, properties, context, integrations) or something that is not one.</summary>
    static readonly Gen<JsonNode?> Bag = Gen.OneOf(
        Gen.Const(() => (JsonNode?)new JsonObject()),
        Gen.Const(() => (JsonNode?)new JsonObject { ["name"] = "Acme", ["locale"] = "en-US", ["n"] = 3 }),
        Gen.Const(() => (JsonNode?)new JsonObject { ["Novu"] = false }),
        Gen.Const(() => (JsonNode?)new JsonObject { ["All"] = false }),
        Gen.Const(() => (JsonNode?)new JsonObject { ["All"] = false, ["Novu"] = true }),
        Gen.Const(() => (JsonNode?)new JsonArray()),
        Gen.Const(() => (JsonNode?)JsonValue.Create("text")),
        Gen.Const(() => (JsonNode?)null));

    static readonly string[] Fields = ["messageId", "userId", "anonymousId", "event", "name", "groupId", "previousId", "timestamp"];

    /// <summary>One event object: a type (or not) and each field present or absent, good or bad.</summary>
    public static readonly Gen<JsonObject> Event =
        Gen.Select(
            Gen.Frequency((8, Gen.OneOf(Types.Select(t => Gen.Const(() => (JsonNode?)JsonValue.Create(t))).ToArray())), (1, Id)),
            Gen.Bool,
            Gen.Select(Id, Gen.Bool).Array[Fields.Length],
            Gen.Select(Bag, Gen.Int[0, 4]).Array[0, 3],
            (type, hasType, fields, bags) =>
            {
                var e = new JsonObject();
                if (hasType)
                    e["type"] = type?.DeepClone();
                for (var i = 0; i < Fields.Length; i++)
                {
                    if (fields[i].Item2)
                        e[Fields[i]] = fields[i].Item1?.DeepClone();
                }
                string[] bagNames = ["traits", "properties", "context", "integrations", "userId"];
                foreach (var (bag, which) in bags)
                    e[bagNames[which]] = bag?.DeepClone();
                return e;
            });

    /// <summary>A body in one of the shapes Segment sends, or not quite: sometimes cut short or with a byte flipped.</summary>
    public static readonly Gen<string> Body =
        Gen.Select(
            Gen.Int[0, 5],
            Event.Array[0, 6],
            Gen.Select(Id, Bag),
            Gen.Int[0, 4],
            Gen.Int[0, 10_000],
            (shape, events, extra, breakage, position) =>
            {
                JsonNode node = shape switch
                {
                    0 or 1 => events.Length > 0 ? events[0] : new JsonObject(),
                    2 => new JsonArray([.. events]),
                    3 => new JsonObject { ["batch"] = new JsonArray([.. events]), ["context"] = extra.Item2?.DeepClone(), ["writeKey"] = "k" },
                    4 => new JsonArray([.. events.Cast<JsonNode?>().Append(extra.Item1?.DeepClone())]), // a non-object element
                    _ => new JsonObject { ["batch"] = extra.Item2?.DeepClone() },
                };
                var text = node.ToJsonString();
                return breakage switch
                {
                    0 when text.Length > 1 => text[..(position % text.Length)],                        // cut short
                    1 when text.Length > 1 => Flip(text, position % text.Length),                   // a byte changed
                    _ => text,
                };
            });

    /// <summary>Raw bytes that are mostly not JSON at all.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Byte.Array[0, 200];

    static string Flip(string text, int at)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[Math.Min(at, bytes.Length - 1)] ^= 0x5A;
        return Encoding.UTF8.GetString(bytes);
    }
}
