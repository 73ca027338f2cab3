using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Trace;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Observability;

/// <summary>
/// The services' own OpenTelemetry wiring, with an in-memory exporter added to each host: one trace runs from the
/// webhook request through MassTransit's publish and consume to the Novu call, and each service's Prometheus scrape
/// carries the service's metrics.
/// </summary>
public sealed class When_an_event_is_traced_from_ingest_to_novu : IAsyncLifetime
{
    // Other specs run beside this one in the same process, and every host's exporter sees every span of the process:
    // this spec's event is told apart by a messageId of its own.
    readonly string _messageId = "trace-" + Guid.NewGuid().ToString("N");
    readonly Spans _spans = new();
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(
        configureIngest: b => Export(b, _spans), configureWorker: b => Export(b, _spans));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static void Export(WebApplicationBuilder builder, Spans spans) =>
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));

    [Fact]
    public async Task Should_follow_the_track_event_from_the_webhook_request_to_the_novu_trigger_in_one_trace()
    {
        await PostTrackAsync();

        // Spans are exported when they end; the consume span ends after the Novu call it made.
        await SegmentNovuStack.WaitUntilAsync(() => ConsumeSpan() is not null, "the worker's consume span of the track was exported");
        var consume = ConsumeSpan()!;
        var trace = _spans.Snapshot().Where(s => s.TraceId == consume.TraceId).ToList();
        var request = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/webhooks/segment"));
        var publish = Assert.Single(trace, s => s.Source.Name == SegmentTracing.SourceName && (string?)s.GetTagItem(SegmentTracing.MessageId) == _messageId);
        var send = Assert.Single(trace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        var novuCall = Assert.Single(trace, s => s.Kind == ActivityKind.Client
            && ((string?)s.GetTagItem("url.full"))?.EndsWith("/v1/events/trigger", StringComparison.Ordinal) == true);

        Assert.Equal("track", consume.GetTagItem(SegmentTracing.Type));
        Assert.Equal("User Registered", consume.GetTagItem(SegmentTracing.Event));
        Assert.Equal("User Registered", publish.GetTagItem(SegmentTracing.Event));
        Assert.Contains(request.SpanId, Ancestors(publish, trace));
        Assert.Contains(publish.SpanId, Ancestors(send, trace));
        Assert.Contains(send.SpanId, Ancestors(consume, trace));
        Assert.Contains(consume.SpanId, Ancestors(novuCall, trace));
    }

    [Fact]
    public async Task Should_serve_the_services_metrics_on_each_prometheus_scrape()
    {
        await PostTrackAsync();
        await SegmentNovuStack.WaitUntilAsync(() => ConsumeSpan() is not null, "the worker delivered the track");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var ingest = await http.GetStringAsync(new Uri(_stack.IngestUrl, SegmentNovuTelemetry.MetricsPath));
        var worker = await http.GetStringAsync(new Uri(_stack.WorkerUrl, SegmentNovuTelemetry.MetricsPath));
        // The queue gauges are sampled every 15 s, and the worker's bus starts in the background: the sample taken at start
        // may predate its consumers. Wait for a sample that sees them (bound: two intervals and room for a loaded machine).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Counted(worker, "segmentnovuworker_segment_novu_queue_consumers", "queue=\"segment-events-00\"") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            worker = await http.GetStringAsync(new Uri(_stack.WorkerUrl, SegmentNovuTelemetry.MetricsPath));
        }

        // prometheus-net names a .NET instrument <meter>_<instrument>, dots as underscores.
        Assert.True(Counted(ingest, "segmentnovuworker_segment_novu_events_accepted", "source=\"webhook\"", "type=\"track\""), ingest);
        Assert.True(Counted(worker, "segmentnovuworker_segment_novu_novu_calls", "endpoint=\"POST v1/events/trigger\"", "status=\"201\"", "category=\"success\""), worker);
        Assert.True(Counted(worker, "segmentnovuworker_segment_novu_events_delivered", "type=\"track\""), worker);
        Assert.True(Counted(worker, "segmentnovuworker_segment_novu_events_end_to_end_duration_count", "type=\"track\""), worker);
        Assert.True(Counted(worker, "segmentnovuworker_segment_novu_novu_call_duration_count", "category=\"success\""), worker);
        Assert.True(Counted(worker, "segmentnovuworker_segment_novu_queue_consumers", "queue=\"segment-events-00\""), worker);
        Assert.True(Counted(worker, "masstransit_messaging_masstransit_consume", "TrackConsumer"), worker);
        Assert.Contains("system_runtime_dotnet_gc_collections", worker);
    }

    /// <summary>A sample of <paramref name="metric"/> with every one of <paramref name="labels"/> and a value of at least 1.</summary>
    static bool Counted(string scrape, string metric, params string[] labels) =>
        scrape.Split('\n').Any(line => line.StartsWith(metric + "{", StringComparison.Ordinal)
            && labels.All(line.Contains)
            && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1);

    async Task PostTrackAsync()
    {
        using var client = _stack.CreateIngestClient();
        var track = Samples.Read("track").Replace("ajs-next-1700000000001-9a8b7c6d", _messageId, StringComparison.Ordinal);
        using var response = await client.PostAsync("/webhooks/segment", new StringContent(track, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    Activity? ConsumeSpan() => _spans.Snapshot().FirstOrDefault(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer
        && (string?)s.GetTagItem(SegmentTracing.MessageId) == _messageId && s.GetTagItem(SegmentTracing.Event) is not null);

    static IEnumerable<ActivitySpanId> Ancestors(Activity span, IReadOnlyList<Activity> trace)
    {
        var bySpan = trace.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; parent != default; parent = bySpan.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
            yield return parent;
    }

    /// <summary>
    /// Spans of both hosts, each once (both exporters see every span of the process); the exporters add from the threads
    /// that end spans, the test reads from its own.
    /// </summary>
    sealed class Spans : ICollection<Activity>
    {
        readonly List<Activity> _items = [];
        readonly HashSet<ActivitySpanId> _seen = [];

        public IReadOnlyList<Activity> Snapshot()
        {
            lock (_items)
                return [.. _items];
        }

        public void Add(Activity item)
        {
            lock (_items)
            {
                if (_seen.Add(item.SpanId))
                    _items.Add(item);
            }
        }

        public int Count => Snapshot().Count;
        public bool IsReadOnly => false;
        public void Clear() { lock (_items) _items.Clear(); }
        public bool Contains(Activity item) => Snapshot().Contains(item);
        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToArray().CopyTo(array, arrayIndex);
        public bool Remove(Activity item) { lock (_items) return _items.Remove(item); }
        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
