using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Mapping;

/// <summary>
/// One compiled rule: which event it takes (<see cref="Call"/>, <see cref="EventName"/>), when (<see cref="When"/>),
/// and how it becomes a trigger of <see cref="Workflow"/>.
/// </summary>
/// <param name="Key">Where it is configured (<c>Novu:Workflows:0</c>), so logs and errors point at it.</param>
/// <param name="KeepsMessageId">Today's form (<c>Novu:Workflows:{event}=workflow</c>): its transactionId is the Segment messageId, as it always was.</param>
/// <param name="Payload">Null: the event's properties, as today's form sends them.</param>
/// <param name="SubscriberId">Null: the event's userId (or what <c>Novu:MissingUserId</c> says when it has none).</param>
/// <param name="To">Inline subscriber fields (email, firstName…), so Novu can reach a user whose identify never came.</param>
public sealed partial record MappingRule(
    string Name,
    string Key,
    MappedCall Call,
    string EventName,
    string Workflow,
    bool KeepsMessageId,
    Condition? When = null,
    MappedValue? Payload = null,
    MappedValue? SubscriberId = null,
    MappedValue.ObjectValue? To = null,
    MappedValue? Overrides = null,
    MappedValue? Actor = null,
    MappedValue? Tenant = null)
{
    /// <summary>Novu's trigger transactionId for this rule and event: stable across retries, redeliveries and replays, distinct per rule.</summary>
    public string TransactionIdFor(string messageId) => KeepsMessageId ? messageId : $"{messageId}:{Token(Name)}";

    /// <summary>The rule's name as ASCII a header and a transactionId can carry: as written when it is a plain identifier, else a hash of it.</summary>
    static string Token(string name) =>
        PlainName().IsMatch(name) ? name : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PlainName();

    /// <summary>Renders the trigger for an event this rule matched.</summary>
    /// <exception cref="TemplateFailedException">A template failed, or a value has a shape Novu cannot take.</exception>
    public TriggerRequest Render(MappingEvent e, string subscriberId)
    {
        var document = e.Document;
        var payload = Payload is null
            ? (JsonObject)(document["properties"]?.DeepClone() ?? new JsonObject())
            : ObjectOrNull(Payload, document, $"{Key}:Payload") ?? [];

        var to = new JsonObject { ["subscriberId"] = subscriberId };
        if (To?.RenderObject(document) is { } fields)
        {
            foreach (var (field, value) in fields)
                to[field] = value?.DeepClone();
        }

        return new TriggerRequest(Workflow, to, payload, TransactionIdFor(e.MessageId),
            Overrides: ObjectOrNull(Overrides, document, $"{Key}:Overrides"),
            Actor: IdOrObject(Actor, document, $"{Key}:Actor"),
            Tenant: IdOrObject(Tenant, document, $"{Key}:Tenant"));
    }

    static JsonObject? ObjectOrNull(MappedValue? value, JsonObject document, string key) => value?.Render(document) switch
    {
        null => null,
        JsonObject o => o,
        var other => throw new TemplateFailedException(key, $"it must be an object, and is {other.ToJsonString()}", new FormatException()),
    };

    /// <summary>Novu takes an actor or a tenant as an identifier or as an object; a number is sent as its text.</summary>
    static JsonNode? IdOrObject(MappedValue? value, JsonObject document, string key) => value?.Render(document) switch
    {
        null => null,
        JsonObject o => o,
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number => JsonValue.Create(v.ToString()),
        var other => throw new TemplateFailedException(key, $"it must be an identifier or an object, and is {other.ToJsonString()}", new FormatException()),
    };
}
