using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using static SegmentNovuWorker.NovuStandIn.Endpoints.JsonStrings;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// <c>POST /v1/events/trigger</c>; its bulk form (<see cref="BulkTriggerEndpoints"/>) runs each of its events through
/// <see cref="Trigger"/> too. A repeated transactionId is acknowledged but not triggered again.
/// A subscriber recipient Novu does not know is created (bare, or from the fields carried inline) and the answer is
/// still "processed", as on Novu.
/// </summary>
public static class TriggerEndpoints
{
    public static void MapTriggerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events/trigger", (HttpContext http, JsonObject? body, StandInState state, StandInWorkflows workflows) =>
        {
            var (result, error) = Trigger(body, state, workflows);
            return error is null ? Results.Json(new { data = result }, statusCode: 201) : NovuErrors.Result(http, 422, error);
        });
    }

    /// <summary>One trigger as Novu's use case runs it: its answer (<c>data</c>), or the error Novu refuses it with.</summary>
    internal static (JsonObject? Result, string? Error) Trigger(JsonObject? body, StandInState state, StandInWorkflows workflows)
    {
        if (body is null || StringOf(body["name"]) is not { Length: > 0 } name)
            return (null, "name must be a non-empty string");
        if (workflows.Find(name) is not { } workflow)
            return (null, $"workflow_not_found: Workflow with identifier {name} cannot be found");
        if (Recipients(body["to"]) is not { } recipients)
            return (null, "to must be a subscriberId, a subscriber, a topic, or an array of at most 100 of them");
        if (recipients.Select(r => r.InlineFields).OfType<JsonObject>().Select(SubscriberFields.Invalid).FirstOrDefault(f => f is not null) is { } field)
            return (null, $"to.{field} must be a string or null");
        if (body["transactionId"] is { } given && StringOf(given) is null)
            return (null, "transactionId must be a string");
        var transactionId = StringOf(body["transactionId"]) ?? Guid.NewGuid().ToString();
        // As on Novu: acknowledged, nothing sent.
        if (workflow.Status != "ACTIVE")
            return (new JsonObject { ["acknowledged"] = true, ["status"] = "trigger_not_active", ["transactionId"] = transactionId }, null);
        state.Trigger(name, recipients, body["payload"], transactionId);
        return (new JsonObject { ["acknowledged"] = true, ["status"] = "processed", ["transactionId"] = transactionId }, null);
    }

    static Recipient[]? Recipients(JsonNode? to)
    {
        if (to is not JsonArray array)
            return One(to) is { } one ? [one] : null;
        if (array.Count is 0 or > 100)
            return null;
        var all = array.Select(One).OfType<Recipient>().ToArray();
        return all.Length == array.Count ? all : null;
    }

    static Recipient? One(JsonNode? to) => to switch
    {
        JsonValue v when v.TryGetValue<string>(out var id) && id.Length > 0 => Recipient.Subscriber(id),
        JsonObject o when StringOf(o["topicKey"]) is { Length: > 0 } key => Recipient.Topic(key),
        JsonObject o when StringOf(o["subscriberId"]) is { Length: > 0 } id => Recipient.Subscriber(id, SubscriberFields.Pick(o)),
        _ => null,
    };
}
