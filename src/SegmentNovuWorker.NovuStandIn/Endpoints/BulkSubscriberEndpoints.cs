using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using static SegmentNovuWorker.NovuStandIn.Endpoints.JsonStrings;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// <c>POST /v1/subscribers/bulk</c> as Novu plays it (apps/api subscribers controller, <c>BulkSubscriberCreateDto</c>, libs/dal
/// <c>bulkCreateSubscribers</c>), unkind parts included: 1 to 500 subscribers, every one validated before anything is
/// written, so one invalid subscriber fails the whole request (422); then each is upserted with the fields sent, and a
/// subscriber whose write fails is listed in <c>failed</c> with the database's message while the others are written.
/// The rate limit charges it 100 configuration tokens whatever it carries (<c>RateLimitMiddleware</c>).
/// </summary>
public static partial class BulkSubscriberEndpoints
{
    public const int MaxSubscribers = 500;

    static readonly string[] StringFields = ["firstName", "lastName", "phone", "avatar", "timezone"];

    public static void MapBulkSubscriberEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/subscribers/bulk", (HttpContext http, JsonObject? body, StandInState state) =>
        {
            if (body?["subscribers"] is not JsonArray list)
                return NovuErrors.Result(http, 422, "Validation failed", new { subscribers = "subscribers must be an array" });
            if (list.Count == 0)
                return NovuErrors.Result(http, 422, "Validation failed", new { subscribers = "subscribers should not be empty" });
            if (list.Count > MaxSubscribers)
                return NovuErrors.Result(http, 422, "Validation failed",
                    new { subscribers = $"subscribers must contain no more than {MaxSubscribers} elements" });

            var errors = new Dictionary<string, string>();
            for (var i = 0; i < list.Count; i++)
            {
                if (Invalid(list[i]) is { } error)
                    errors[$"subscribers.{i}.{error.Field}"] = error.Message;
            }
            if (errors.Count > 0)
                return NovuErrors.Result(http, 422, "Validation failed", errors);

            var (created, updated, failed) = state.BulkUpsert([.. list.Cast<JsonObject>()]);
            return Results.Json(new
            {
                data = new
                {
                    updated = updated.Select(id => new { subscriberId = id }),
                    created = created.Select(id => new { subscriberId = id }),
                    failed = failed.Select(f => new { message = f.Message, subscriberId = f.SubscriberId }),
                },
            }, statusCode: 201);
        });
    }

    /// <summary>The rules of Novu's <c>CreateSubscriberRequestDto</c> (class-validator); null or absent optional fields pass.</summary>
    static (string Field, string Message)? Invalid(JsonNode? subscriber)
    {
        if (subscriber is not JsonObject fields)
            return ("", "each subscriber must be an object");
        if (fields["subscriberId"] is not JsonValue id || !id.TryGetValue<string>(out _))
            return ("subscriberId", "subscriberId must be a string");
        foreach (var field in StringFields)
        {
            if (fields[field] is { } node && !IsString(node))
                return (field, $"{field} must be a string");
        }
        if (fields["email"] is { } email && !(IsString(email) && EmailShape().IsMatch(email.GetValue<string>())))
            return ("email", "email must be an email");
        if (fields["locale"] is { } locale && !(IsString(locale) && LocaleShape().IsMatch(locale.GetValue<string>())))
            return ("locale", "locale must be locale");
        if (fields["channels"] is { } channels && channels is not JsonArray)
            return ("channels", "channels must be an array");
        return null;
    }

    /// <summary>Close to validator.js <c>isEmail</c>' defaults: a local part, one @, a dotted domain with a TLD of letters.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex EmailShape();

    /// <summary>Close to validator.js <c>isLocale</c>: a language, then optional script, region or variant subtags.</summary>
    [GeneratedRegex(@"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")]
    private static partial Regex LocaleShape();
}
