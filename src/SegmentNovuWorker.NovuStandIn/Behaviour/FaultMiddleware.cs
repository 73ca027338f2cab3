using System.Text.Json;

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
            await context.Response.WriteAsJsonAsync(new
            {
                data = new { acknowledged = true, status = triggerStatus, transactionId = TransactionIdOf(context) },
            });
            return;
        }

        await NovuErrors.WriteAsync(context, fault.Status, fault.Message ?? DefaultMessage(fault.Status));
    }

    static string? TransactionIdOf(HttpContext context)
    {
        context.Request.Body.Position = 0;
        try
        {
            using var doc = JsonDocument.Parse(context.Request.Body);
            return doc.RootElement.TryGetProperty("transactionId", out var t) ? t.GetString() : null;
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
