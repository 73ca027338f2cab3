using Microsoft.Extensions.Options;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.NovuStandIn.Endpoints;

namespace SegmentNovuWorker.NovuStandIn;

/// <summary>Builds the stand-in; <c>Program.cs</c> runs it, tests host it on a loopback port.</summary>
public static class NovuStandInApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<StandInOptions>().BindConfiguration(StandInOptions.Section)
            .Validate(o => o.Delays.FirstNegative() is null, "StandIn:Delays:Subscribers, :Triggers and :Topics must not be negative.")
            .Validate(o => o.WorkflowStatuses.Values.All(s => StandInWorkflows.Statuses.Contains(s, StringComparer.Ordinal)),
                "StandIn:WorkflowStatuses:<workflowId> must be ACTIVE, INACTIVE or ERROR.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StandInOptions>>().Value;
            return new StandInState(options.Delays) { IdempotencyEnabled = options.Idempotency };
        });
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StandInOptions>>().Value;
            return new StandInWorkflows(options.Workflows, options.WorkflowStatuses);
        });
        builder.Services.AddSingleton(TimeProvider.System);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<RecordingMiddleware>();
        app.UseMiddleware<FaultMiddleware>(false);
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseMiddleware<FaultMiddleware>(true);
        // Last, so a slow route still gets its auth, rate limit and in-flight idempotency answer at once, as behind Novu's gateway.
        app.UseMiddleware<DelayMiddleware>();
        app.MapGet("/health/live", () => Results.Ok("live"));
        app.MapSubscriberEndpoints();
        app.MapBulkSubscriberEndpoints();
        app.MapTriggerEndpoints();
        app.MapBulkTriggerEndpoints();
        app.MapTopicEndpoints();
        app.MapWorkflowEndpoints();
        app.MapControlEndpoints();
        return app;
    }
}
