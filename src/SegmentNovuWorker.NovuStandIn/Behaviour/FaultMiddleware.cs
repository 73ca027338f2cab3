using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Plays the failures a test programmed (<see cref="Fault"/>): an outage, a 429, a slow answer, a reset connection.
/// Runs twice: in front of Novu (<paramref name="inHandler"/> false, nothing remembers the answer) and as Novu's handler,
/// behind its idempotency layer (which keeps the answer under the key).
/// </summary>
public sealed class FaultMiddleware(RequestDelegate next, StandInState state, bool inHandler)
{
    public async Task InvokeAsync(HttpContext context)
    {
        string? body = null;
        if (state.MatchesBodies && !context.Request.Path.StartsWithSegments("/_standin"))
        {
            context.Request.EnableBuffering();
            body = await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
        }
        if (context.Request.Path.StartsWithSegments("/_standin") || state.TakeFault(context.Request.Path, inHandler, body) is not { } fault)
        {
            await next(context);
            return;
        }

        if (fault.DelayMs > 0)
            await Task.Delay(fault.DelayMs, context.RequestAborted);

        if (fault.AfterProcessing)
        {
            // Let Novu do the work, then throw its answer away.
            var original = context.Response.Body;
            context.Response.Body = Stream.Null;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            context.Response.Headers.Clear();
        }

        if (fault.Status == 0)
        {
            context.Abort(); // the client sees a reset connection
            return;
        }

        if (fault.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

        if (fault.TriggerStatus is { } triggerStatus)
        {
            context.Response.StatusCode = fault.Status;
            await context.Response.WriteAsJsonAsync(new { data = TriggerAnswer(context, triggerStatus) });
            return;
        }

        await NovuErrors.WriteAsync(context, fault.Status, fault.Message ?? DefaultMessage(fault.Status));
    }

    /// <summary>The trigger answer with the programmed status: one object, or for a bulk trigger one entry per event, in order.</summary>
    static JsonNode TriggerAnswer(HttpContext context, string status)
    {
        static JsonObject One(string status, JsonNode? transactionId) =>
            new() { ["acknowledged"] = true, ["status"] = status, ["transactionId"] = transactionId?.DeepClone() };

        var body = BodyOf(context);
        return context.Request.Path.StartsWithSegments("/v1/events/trigger/bulk")
            ? new JsonArray([.. (body?["events"] as JsonArray ?? []).Select(e => (JsonNode)One(status, e?["transactionId"]))])
            : One(status, body?["transactionId"]);
    }

    static JsonNode? BodyOf(HttpContext context)
    {
        context.Request.Body.Position = 0;
        try
        {
            return JsonNode.Parse(context.Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string DefaultMessage(int status) => status switch
    {
        429 => "API rate limit exceeded",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        422 => "Validation failed",
        _ => $"Error {status}",
    };
}
