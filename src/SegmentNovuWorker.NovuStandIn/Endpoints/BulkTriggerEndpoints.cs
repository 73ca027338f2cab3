using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using static SegmentNovuWorker.NovuStandIn.Endpoints.JsonStrings;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// <c>POST /v1/events/trigger/bulk</c> as Novu plays it (apps/api events.controller.ts <c>triggerBulk</c>,
/// <c>BulkTriggerEventDto</c>, <c>ProcessBulkTrigger</c>), unkind parts included. The request is validated as a whole
/// only for its array: not an array, empty or over 100 events answers 400 with class-validator's messages, nothing
/// triggered. Its events are not validated up front: each runs through the single trigger's use case
/// (<see cref="TriggerEndpoints.Trigger"/>) in order, and one that fails is answered in its own entry,
/// <c>{"acknowledged": true, "status": "error", "error": [Novu's messages]}</c>, with no transactionId, while the others
/// are triggered. Unlike the single trigger, a missing <c>payload</c> is not taken as <c>{}</c>: Novu passes it on as it is
/// and its command refuses it. It answers 201 <c>{"data": [one result per event, in order]}</c> and costs 100 trigger
/// tokens whatever it carries (<c>RateLimitMiddleware</c>); route delays, faults, account errors and idempotency keys
/// apply to it as to any trigger.
/// </summary>
public static class BulkTriggerEndpoints
{
    /// <summary><c>@ArrayMaxSize(100)</c> on <c>BulkTriggerEventDto.events</c>.</summary>
    public const int MaxEvents = 100;

    public static void MapBulkTriggerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events/trigger/bulk", (HttpContext http, JsonObject? body, StandInState state, StandInWorkflows workflows) =>
        {
            // Nest's ValidationPipe: 400, every failed constraint of the property in "message".
            if (body?["events"] is not JsonArray events)
                return NovuErrors.BadRequest(http, "events must contain no more than 100 elements", "events should not be empty", "events must be an array");
            if (events.Count == 0)
                return NovuErrors.BadRequest(http, "events should not be empty");
            if (events.Count > MaxEvents)
                return NovuErrors.BadRequest(http, $"events must contain no more than {MaxEvents} elements");

            var results = new JsonArray();
            foreach (var e in events)
                results.Add(TriggerOne(e as JsonObject, state, workflows));
            return Results.Json(new { data = results }, statusCode: 201);
        });
    }

    static JsonObject TriggerOne(JsonObject? e, StandInState state, StandInWorkflows workflows)
    {
        // ParseEventRequestMulticastCommand.create validates what the DTO did not: its messages become the entry's error.
        var invalid = CommandErrors(e);
        if (invalid.Length > 0)
            return Error(invalid);
        var (result, error) = TriggerEndpoints.Trigger(e, state, workflows);
        return result ?? Error([error!]);
    }

    static JsonObject Error(string[] messages) =>
        new() { ["acknowledged"] = true, ["status"] = "error", ["error"] = new JsonArray([.. messages.Select(m => (JsonNode)m)]) };

    /// <summary>class-validator's messages for the command Novu builds from one event (<c>identifier</c> is the event's name).</summary>
    static string[] CommandErrors(JsonObject? e)
    {
        var errors = new List<string>();
        if (e?["name"] is null)
            errors.AddRange(["identifier should not be null or undefined", "identifier must be a string"]);
        else if (!IsString(e["name"]))
            errors.Add("identifier must be a string");
        if (e?["payload"] is null)
            errors.Add("payload should not be null or undefined");
        if (e?["transactionId"] is { } transactionId && !IsString(transactionId))
            errors.Add("transactionId must be a string");
        if (e?["to"] is null)
            errors.Add("to should not be null or undefined");
        return [.. errors];
    }
}
