using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SegmentNovuWorker.Messaging;

public static class HealthEndpointExtensions
{
    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the checks tagged "ready" pass; answered as JSON,
    /// <c>{"status", "checks": [{"name", "status", "description", "data"}]}</c>, so an operator (and the console) sees which
    /// partitions are not consuming and why, not only that something is wrong. 503 when unhealthy, 200 otherwise.
    /// </summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteJsonAsync,
        });
    }

    static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data,
            }),
        }, cancellationToken: context.RequestAborted);
    }
}
