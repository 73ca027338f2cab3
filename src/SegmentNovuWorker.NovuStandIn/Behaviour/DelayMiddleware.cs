namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Plays a slow Novu: waits the <see cref="RouteDelays"/> of the request's route before the request is applied.
/// It awaits a timer rather than holding a lock, so a slow route never holds up another.
/// </summary>
public sealed class DelayMiddleware(RequestDelegate next, StandInState state, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var delay = state.Delays.For(context.Request.Method, context.Request.Path);
        if (delay > TimeSpan.Zero)
        {
            state.CountHeldBack(1);
            try
            {
                await Task.Delay(delay, clock, context.RequestAborted);
            }
            finally
            {
                state.CountHeldBack(-1);
            }
        }
        await next(context);
    }
}
