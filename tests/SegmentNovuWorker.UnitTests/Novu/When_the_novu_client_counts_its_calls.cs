using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.UnitTests.Novu.Pacing;
using SegmentNovuWorker.UnitTests.NovuStandIn;

namespace SegmentNovuWorker.UnitTests.Novu;

/// <summary>
/// The Novu client's instruments live in its own library but on the service's meter, under the names the dashboards and
/// docs/observability.md use: the OTLP export and the Prometheus scrape pick meters by that name.
/// </summary>
public sealed class When_the_novu_client_counts_its_calls
{
    [Fact]
    public async Task Should_record_each_call_on_the_services_meter_under_the_same_names()
    {
        Assert.Equal(SegmentNovuMetrics.MeterName, NovuMetrics.MeterName);
        var seen = new ConcurrentBag<(string Instrument, string? Endpoint)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SegmentNovuMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        void Record<T>(Instrument instrument, T _, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? __)
        {
            string? endpoint = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "endpoint")
                    endpoint = tag.Value as string;
            }
            seen.Add((instrument.Name, endpoint));
        }
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();
        await using var standIn = await StandIn.StartAsync();
        using var novu = PacedNovu.For(standIn);

        await novu.Client.TriggerBulkAsync([new TriggerRequest("w", new JsonObject { ["subscriberId"] = "u" }, [], "t-metrics")], CancellationToken.None);

        Assert.Contains(("segment_novu.novu.calls", "POST v1/events/trigger/bulk"), seen);
        Assert.Contains(("segment_novu.novu.call.duration", "POST v1/events/trigger/bulk"), seen);
    }
}
