using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's auth: <c>Authorization: ApiKey &lt;secret&gt;</c>, 401 with Novu's error body otherwise; and the account errors a
/// test asked for (<see cref="StandInState.AccountError"/>).
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<StandInOptions> options, StandInState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/_standin") || path.StartsWithSegments("/health"))
        {
            await next(context);
            return;
        }
        if (state.AccountError is { } account)
        {
            await NovuErrors.WriteAsync(context, account.Status, account.MessageOrDefault);
            return;
        }
        if (context.Request.Headers.Authorization.ToString() == "ApiKey " + options.Value.ApiKey)
        {
            await next(context);
            return;
        }

        await NovuErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "API Key not found");
    }
}
