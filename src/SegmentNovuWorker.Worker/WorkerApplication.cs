using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Extensions;

namespace SegmentNovuWorker.Worker;

/// <summary>Builds the worker (a generic host that also serves health endpoints); tests host it on a loopback port.</summary>
public static class WorkerApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWorkerServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapHealthEndpoints();
        return app;
    }
}
