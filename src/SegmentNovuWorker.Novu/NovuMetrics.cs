using System.Diagnostics.Metrics;

namespace SegmentNovuWorker.Novu;

/// <summary>
/// The Novu client's instruments. They belong to the service's own meter (<see cref="MeterName"/>, the same name as
/// Messaging's <c>SegmentNovuMetrics.MeterName</c>), so the OTLP export and the Prometheus scrape, which list that meter by
/// name, publish them beside the others under the names docs/observability.md gives; this library needs only
/// System.Diagnostics.Metrics for them, not the services' telemetry stack.
/// </summary>
public sealed class NovuMetrics
{
    /// <summary>The service's meter; a spec keeps it equal to <c>SegmentNovuMetrics.MeterName</c>.</summary>
    public const string MeterName = "SegmentNovuWorker";

    readonly Counter<long> _calls;
    readonly Histogram<double> _callDuration;
    readonly Histogram<double> _pacedWait;
    readonly Counter<long> _subscriberBulkCalls;
    readonly Histogram<long> _subscriberBulkSize;

    public NovuMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _calls = meter.CreateCounter<long>("segment_novu.novu.calls", "{call}", "Calls to the Novu API, by endpoint, status and category");
        _callDuration = meter.CreateHistogram<double>("segment_novu.novu.call.duration", "s", "Time Novu took to answer, by endpoint and category");
        _pacedWait = meter.CreateHistogram<double>("segment_novu.flow.paced_wait.duration", "s", "Waits imposed before a Novu call to stay within its rate limit, by category");
        _subscriberBulkCalls = meter.CreateCounter<long>("segment_novu.novu.subscriber_bulk.calls", "{call}", "Bulk subscriber upserts sent to Novu, by outcome");
        _subscriberBulkSize = meter.CreateHistogram<long>("segment_novu.novu.subscriber_bulk.size", "{subscriber}", "Subscribers carried by one bulk upsert, by outcome");
    }

    /// <param name="status">The HTTP status, or <c>none</c> when no answer came (timeout, connection refused).</param>
    /// <param name="category">What the worker makes of it: <c>success</c>, <c>rate-limited</c>, <c>retryable</c>, <c>rejected</c>, <c>account</c>.</param>
    public void NovuCall(string endpoint, string status, string category, TimeSpan duration)
    {
        _calls.Add(1, new("endpoint", endpoint), new("status", status), new("category", category));
        _callDuration.Record(duration.TotalSeconds, new("endpoint", endpoint), new("category", category));
    }

    /// <summary>A wait the flow control imposed before a Novu call (the rate limit of <paramref name="category"/>).</summary>
    public void RecordPacedWait(string category, TimeSpan wait) =>
        _pacedWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("category", category));

    /// <param name="outcome"><c>answered</c> (each subscriber then has its own outcome), <c>rejected</c> (refused as a whole, sent again one by one), <c>retryable</c> or <c>account</c>.</param>
    public void SubscriberBulk(int subscribers, string outcome)
    {
        _subscriberBulkCalls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _subscriberBulkSize.Record(subscribers, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
