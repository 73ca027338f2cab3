using System.Diagnostics.Metrics;

namespace SegmentNovuWorker.Messaging.Telemetry;

/// <summary>
/// The instruments of the service's own meter (<see cref="MeterName"/>) that the ingest API and the worker record through;
/// the Novu client's are on the same meter, in its own library (SegmentNovuWorker.Novu's <c>NovuMetrics</c>, which keeps
/// this name). docs/observability.md lists them all. Exported over OTLP and on the Prometheus scrape
/// (<see cref="SegmentNovuTelemetry"/>), where dots become underscores.
/// </summary>
public sealed class SegmentNovuMetrics
{
    public const string MeterName = "SegmentNovuWorker";

    readonly Counter<long> _received;
    readonly Counter<long> _accepted;
    readonly Counter<long> _rejected;
    readonly Counter<long> _optedOut;
    readonly Counter<long> _resumed;
    readonly Counter<long> _delivered;
    readonly Counter<long> _retried;
    readonly Counter<long> _redelivered;
    readonly Counter<long> _deadLettered;
    readonly Counter<long> _skipped;
    readonly Histogram<double> _endToEnd;
    readonly Counter<long> _deliveryLogSteps;
    readonly Counter<long> _deliveryLogBytes;

    // Observable instruments read whatever their owner registered; until then they report nothing.
    Func<IEnumerable<QueueSample>> _queues = () => [];
    Func<IEnumerable<(string Partition, string Reason)>> _stopped = () => [];
    Func<(string? Unusable, int Waiting)> _novuGate = () => (null, 0);

    public SegmentNovuMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _deliveryLogSteps = meter.CreateCounter<long>("segment_novu.delivery_log.steps", "{step}", "Steps of the delivery log, published to its stream or dropped (buffer full, broker away)");
        _deliveryLogBytes = meter.CreateCounter<long>("segment_novu.delivery_log.bytes", "By", "Bytes of steps published to the delivery log's stream");
        _received = meter.CreateCounter<long>("segment_novu.events.received", "{event}", "Events that reached the ingest API, by source");
        _accepted = meter.CreateCounter<long>("segment_novu.events.accepted", "{event}", "Events published to their partition queue and confirmed by the broker, by type and source");
        _rejected = meter.CreateCounter<long>("segment_novu.events.rejected", "{event}", "Invalid events of a batch, set aside in segment-rejected, by source");
        _optedOut = meter.CreateCounter<long>("segment_novu.events.opted_out", "{event}", "Valid events whose integrations opted out of Novu, by source");
        _resumed = meter.CreateCounter<long>("segment_novu.events.resumed", "{event}", "Events of a retried request not published again: the broker had confirmed them for an earlier attempt answered 503, by source");
        _delivered = meter.CreateCounter<long>("segment_novu.events.delivered", "{event}", "Events that reached Novu, by type");
        _retried = meter.CreateCounter<long>("segment_novu.events.retried", "{attempt}", "In-process retries of an event, by type");
        _redelivered = meter.CreateCounter<long>("segment_novu.events.redelivered", "{delivery}", "Deliveries of an event back from a wait queue (delayed redelivery), by type");
        _deadLettered = meter.CreateCounter<long>("segment_novu.events.dead_lettered", "{event}", "Events moved to an _error queue, by type and reason");
        _skipped = meter.CreateCounter<long>("segment_novu.events.skipped", "{event}", "Events acknowledged without a Novu call, by type and reason");
        _endToEnd = meter.CreateHistogram<double>("segment_novu.events.end_to_end.duration", "s", "From the event's Segment timestamp to Novu's answer, by type");
        meter.CreateObservableGauge("segment_novu.queue.messages", () => _queues().Select(q =>
            new Measurement<long>(q.Messages, new("queue", q.Queue), new("partition", q.Partition))), "{message}", "Messages in each partition queue and its _error queue");
        meter.CreateObservableGauge("segment_novu.queue.max_length", () => _queues().Where(q => q.MaxLength is not null).Select(q =>
            new Measurement<long>(q.MaxLength!.Value, new("queue", q.Queue), new("partition", q.Partition))), "{message}",
            "The bound of each _error queue (RabbitMq:DeadLetterQueues:MaxLength): past it the queue refuses new dead letters");
        meter.CreateObservableGauge("segment_novu.queue.consumers", () => _queues().Select(q =>
            new Measurement<long>(q.Consumers, new("queue", q.Queue), new("partition", q.Partition))), "{consumer}", "Consumers subscribed to each partition queue");
        meter.CreateObservableGauge("segment_novu.flow.consumption_stopped", () => _stopped().Select(s =>
            new Measurement<int>(1, new("partition", s.Partition), new("reason", s.Reason))), "{partition}", "1 for each partition this worker has stopped consuming, by reason");
        meter.CreateObservableGauge("segment_novu.novu.unusable", () => _novuGate() is { Unusable: { } reason }
            ? [new Measurement<int>(1, new KeyValuePair<string, object?>("reason", reason))] : Array.Empty<Measurement<int>>(),
            "{worker}", "1 while this worker holds its deliveries at the Novu gate, by reason (novu-outage, novu-account-refused)");
        meter.CreateObservableGauge("segment_novu.novu.gate_waiting", () => _novuGate().Waiting, "{delivery}",
            "Deliveries waiting at the Novu gate, unacknowledged, until Novu is usable again");
    }

    public void Received(string source, int count) => Add(_received, count, ("source", source));

    public void Accepted(string type, string source) => _accepted.Add(1, new("type", type), new("source", source));

    public void Rejected(string source, int count) => Add(_rejected, count, ("source", source));

    public void OptedOut(string source, int count) => Add(_optedOut, count, ("source", source));

    public void Resumed(string source, int count) => Add(_resumed, count, ("source", source));

    /// <param name="eventTimestamp">The event's Segment <c>timestamp</c>; without it no end-to-end latency is recorded.</param>
    public void Delivered(string type, DateTimeOffset? eventTimestamp)
    {
        var now = DateTimeOffset.UtcNow;
        _delivered.Add(1, new KeyValuePair<string, object?>("type", type));
        // A clock-skewed sender can stamp events in the future; a negative latency would only blur the histogram.
        if (eventTimestamp is { } timestamp && now >= timestamp)
            _endToEnd.Record((now - timestamp).TotalSeconds, new KeyValuePair<string, object?>("type", type));
    }

    public void Retried(string type) => _retried.Add(1, new KeyValuePair<string, object?>("type", type));

    public void Redelivered(string type) => _redelivered.Add(1, new KeyValuePair<string, object?>("type", type));

    public void DeadLettered(string type, string reason) => _deadLettered.Add(1, new("type", type), new("reason", reason));

    /// <param name="outcome"><c>published</c> or <c>dropped</c>.</param>
    public void DeliveryLogSteps(string outcome, int count) => Add(_deliveryLogSteps, count, ("outcome", outcome));

    public void DeliveryLogBytes(int bytes) => _deliveryLogBytes.Add(bytes);

    public void Skipped(string type, string reason) => _skipped.Add(1, new("type", type), new("reason", reason));

    /// <summary>The worker tells which partitions it has stopped consuming and why (lost consumer, handover, shutdown); read at each collection.</summary>
    public void ObserveConsumptionStopped(Func<IEnumerable<(string Partition, string Reason)>> stopped) => _stopped = stopped;

    /// <summary>The worker tells whether Novu is usable (null) or why not, and how many deliveries wait at its gate; read at each collection.</summary>
    public void ObserveNovuGate(Func<(string? Unusable, int Waiting)> gate) => _novuGate = gate;

    /// <summary>The worker's sampler of queue depths; read at each collection.</summary>
    public void ObserveQueues(Func<IEnumerable<QueueSample>> queues) => _queues = queues;

    static void Add(Counter<long> counter, int count, (string Key, string Value) tag)
    {
        if (count > 0)
            counter.Add(count, new KeyValuePair<string, object?>(tag.Key, tag.Value));
    }
}

/// <summary>One queue's depth and consumers at the last sample.</summary>
public sealed record QueueSample(string Queue, string Partition, long Messages, long Consumers, long? MaxLength = null);
