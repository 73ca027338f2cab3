using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using static SegmentNovuWorker.NovuStandIn.Endpoints.JsonStrings;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary><c>/v2/topics</c>: upsert a topic, add or remove subscriptions (at most 100 per call).</summary>
public static class TopicEndpoints
{
    public static void MapTopicEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/topics", (HttpContext http, JsonObject? body, StandInState state) =>
        {
            if (StringOf(body?["key"]) is not { Length: > 0 } key)
                return NovuErrors.Result(http, 422, "Validation failed", new { key = "key must be a non-empty string" });
            if (body!["name"] is { } given && StringOf(given) is null)
                return NovuErrors.Result(http, 422, "Validation failed", new { name = "name must be a string" });
            var name = StringOf(body["name"]);
            state.UpsertTopic(key, name);
            return Results.Json(new { data = new { key, name = state.TopicName(key) } }, statusCode: 201);
        });

        app.MapPost("/v2/topics/{topicKey}/subscriptions", (HttpContext http, string topicKey, JsonObject? body, StandInState state) =>
            Subscriptions(http, topicKey, body, state, add: true));
        app.MapDelete("/v2/topics/{topicKey}/subscriptions", (HttpContext http, string topicKey, [FromBody] JsonObject? body, StandInState state) =>
            Subscriptions(http, topicKey, body, state, add: false));
    }

    static IResult Subscriptions(HttpContext http, string topicKey, JsonObject? body, StandInState state, bool add)
    {
        if (body?["subscriptions"] is not JsonArray { Count: > 0 and <= 100 } ids)
            return NovuErrors.Result(http, 422, "Validation failed", new { subscriptions = "subscriptions must be an array of 1 to 100 subscriberIds" });
        var subscriberIds = ids.Select(i => i?.ToString() ?? "").ToArray();
        // As on Novu: the call succeeds (2xx) even when some subscribers could not be subscribed; the body says which.
        var missing = subscriberIds.Where(id => !state.SubscriberExists(id)).ToArray();
        var done = subscriberIds.Except(missing, StringComparer.Ordinal).ToArray();
        state.Subscribe(topicKey, done, add);
        return Results.Json(new
        {
            data = done.Select(id => new { topic = new { key = topicKey, name = state.TopicName(topicKey) }, subscriber = new { subscriberId = id } }),
            meta = new { totalCount = subscriberIds.Length, successful = done.Length, failed = missing.Length },
            errors = missing.Select(id => new { subscriberId = id, code = "SUBSCRIBER_NOT_FOUND", message = $"Subscriber with id '{id}' not found" }),
        }, statusCode: add ? 201 : 200);
    }
}
