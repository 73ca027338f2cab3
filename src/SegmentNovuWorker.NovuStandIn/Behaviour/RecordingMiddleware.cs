namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Records every Novu API request (not the <c>/_standin</c> control calls) with the status it got.</summary>
public sealed class RecordingMiddleware(RequestDelegate next, StandInState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/_standin") || context.Request.Path.StartsWithSegments("/health"))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
        context.Request.Body.Position = 0;
        try
        {
            await next(context);
        }
        finally
        {
            state.Record(new ReceivedRequest(
                DateTimeOffset.UtcNow,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
                context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null,
                body,
                context.Response.StatusCode));
        }
    }
}
