using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.NovuStandIn.Endpoints;

namespace SegmentNovuWorker.NovuStandIn;

/// <summary>Builds the stand-in; <c>Program.cs</c> runs it, tests host it on a loopback port.</summary>
public static class NovuStandInApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<StandInOptions>().BindConfiguration(StandInOptions.Section);
        builder.Services.AddSingleton<StandInState>();
        builder.Services.AddSingleton(TimeProvider.System);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<RecordingMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.MapGet("/health/live", () => Results.Ok("live"));
        app.MapSubscriberEndpoints();
        app.MapTriggerEndpoints();
        app.MapTopicEndpoints();
        app.MapControlEndpoints();
        return app;
    }
}
