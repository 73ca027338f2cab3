using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Novu's auth: <c>Authorization: ApiKey &lt;secret&gt;</c>, 401 with Novu's error body otherwise.</summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<StandInOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/_standin") || path.StartsWithSegments("/health")
            || context.Request.Headers.Authorization.ToString() == "ApiKey " + options.Value.ApiKey)
        {
            await next(context);
            return;
        }

        await NovuErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "API Key not found");
    }
}
