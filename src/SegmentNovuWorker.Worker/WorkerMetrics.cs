using System.Diagnostics.Metrics;

namespace SegmentNovuWorker.Worker;

/// <summary>The worker's own counters (meter <c>SegmentNovuWorker</c>), ready for an OpenTelemetry/Prometheus exporter.</summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "SegmentNovuWorker";

    readonly Counter<long> _skipped;
    readonly Counter<long> _delivered;

    public WorkerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _skipped = meter.CreateCounter<long>("segment_novu.events.skipped", description: "Events acknowledged without a Novu call, by reason");
        _delivered = meter.CreateCounter<long>("segment_novu.events.delivered", description: "Events that reached Novu, by event type");
    }

    public void Skipped(string eventType, string reason) =>
        _skipped.Add(1, new KeyValuePair<string, object?>("type", eventType), new KeyValuePair<string, object?>("reason", reason));

    public void Delivered(string eventType) => _delivered.Add(1, new KeyValuePair<string, object?>("type", eventType));
}
