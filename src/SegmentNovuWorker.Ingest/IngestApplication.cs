using SegmentNovuWorker.Ingest.Endpoints;
using SegmentNovuWorker.Ingest.Extensions;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Ingest;

/// <summary>Builds the ingest API; <c>Program.cs</c> runs it, tests host it on a loopback port.</summary>
public static class IngestApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddIngestServices();
        builder.AddSegmentNovuTelemetry("segment-novu-ingest");
        configure?.Invoke(builder);
        // Last, so that it sees every source of configuration (a test host adds its own in configure).
        builder.AddManagementPort();

        var app = builder.Build();
        app.UseTrustedProxies();
        app.UseManagementPort();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapSegmentWebhook();
        app.MapTrackingApi();
        app.LogSourceSecurity();
        // No admin routes: the admin API and console are a process of their own (SegmentNovuWorker.Admin).
        return app;
    }
}
