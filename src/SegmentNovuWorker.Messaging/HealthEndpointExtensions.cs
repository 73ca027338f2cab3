using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;

namespace SegmentNovuWorker.Messaging;

public static class HealthEndpointExtensions
{
    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: the checks tagged "ready" (MassTransit's bus) pass.</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
    }
}
