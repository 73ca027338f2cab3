using MassTransit;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Worker.Telemetry;

public static class WorkerTelemetryExtensions
{
    /// <summary>The shared telemetry, plus the worker's own: queue depths and the delivery counters from MassTransit's observers.</summary>
    public static WebApplicationBuilder AddWorkerTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddSegmentNovuTelemetry("segment-novu-worker");
        builder.Services.AddHostedService<QueueDepthSampler>();
        builder.Services.AddSingleton<DeliveryMetricsObserver>();
        builder.Services.AddConsumeObserver(sp => sp.GetRequiredService<DeliveryMetricsObserver>());
        builder.Services.AddReceiveObserver(sp => sp.GetRequiredService<DeliveryMetricsObserver>());
        return builder;
    }
}
