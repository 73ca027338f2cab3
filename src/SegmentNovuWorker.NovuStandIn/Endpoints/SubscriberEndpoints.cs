using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary><c>/v2/subscribers</c>: upsert, get, patch, delete, answering with Novu's status codes and envelope.</summary>
public static class SubscriberEndpoints
{
    public static void MapSubscriberEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/subscribers", (HttpContext http, JsonObject? body, bool? failIfExists, StandInState state) =>
        {
            if (body?["subscriberId"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id) || id.Length == 0)
                return NovuErrors.Result(http, 422, "Validation failed", new { subscriberId = "subscriberId must be a non-empty string" });
            if (SubscriberFields.Invalid(body) is { } field)
                return NovuErrors.Result(http, 422, "Validation failed", new Dictionary<string, string> { [field] = $"{field} must be a string or null" });
            if (failIfExists == true && state.GetSubscriber(id) is not null)
                return NovuErrors.Result(http, 409, $"Subscriber {id} already exists");
            return Results.Json(new { data = state.UpsertSubscriber(id, body) }, statusCode: 201);
        });

        app.MapGet("/v2/subscribers/{subscriberId}", (HttpContext http, string subscriberId, StandInState state) =>
            state.GetSubscriber(subscriberId) is { } s
                ? Results.Json(new { data = s })
                : NovuErrors.Result(http, 404, $"Subscriber {subscriberId} not found"));

        app.MapPatch("/v2/subscribers/{subscriberId}", (HttpContext http, string subscriberId, JsonObject? body, StandInState state) =>
        {
            if (state.GetSubscriber(subscriberId) is null)
                return NovuErrors.Result(http, 404, $"Subscriber {subscriberId} not found");
            if (body is not null && SubscriberFields.Invalid(body) is { } field)
                return NovuErrors.Result(http, 422, "Validation failed", new Dictionary<string, string> { [field] = $"{field} must be a string or null" });
            return Results.Json(new { data = state.UpsertSubscriber(subscriberId, body ?? []) });
        });

        app.MapDelete("/v2/subscribers/{subscriberId}", (HttpContext http, string subscriberId, StandInState state) =>
            state.DeleteSubscriber(subscriberId)
                ? Results.Json(new { data = new { acknowledged = true, status = "deleted" } })
                : NovuErrors.Result(http, 404, $"Subscriber {subscriberId} not found"));
    }
}
