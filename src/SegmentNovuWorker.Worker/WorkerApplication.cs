using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Worker.Extensions;
using SegmentNovuWorker.Worker.Telemetry;

namespace SegmentNovuWorker.Worker;

/// <summary>Builds the worker (a generic host that also serves health endpoints); tests host it on a loopback port.</summary>
public static class WorkerApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWorkerServices();
        builder.AddWorkerTelemetry();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        return app;
    }
}
