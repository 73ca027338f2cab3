using System.Diagnostics;
using System.Diagnostics.Metrics;
using SegmentNovuWorker.Testing;

/// <summary>
/// <c>dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- delivery-log [events] [runs]</c>: what the delivery
/// log costs an event. Measure 3 of <c>cost</c> (Actions-style batches of 100, 4 in flight, Novu at 0 ms), alternately
/// with <c>DeliveryLog:Enabled=false</c> and <c>true</c>, [runs] (3) times each: the end-to-end rate and CPU per event of
/// this process and the broker; with the log, the steps and bytes the worker published to its stream per event.
/// </summary>
static class DeliveryLogMeasurement
{
    public static async Task RunAsync(int events, int runs)
    {
        Console.WriteLine($"delivery log: {events} track events a run (each: an attempt and a delivered step), off and on alternately, {runs} runs each");
        for (var run = 1; run <= runs; run++)
        {
            foreach (var enabled in new[] { false, true })
                await MeasureAsync(events, enabled, run);
        }
    }

    static async Task MeasureAsync(int events, bool enabled, int run)
    {
        long steps = 0, bytes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "segment_novu.delivery_log.steps" or "segment_novu.delivery_log.bytes")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "segment_novu.delivery_log.bytes")
                Interlocked.Add(ref bytes, value);
            else if (tags.ToArray().Any(t => t.Key == "outcome" && (string?)t.Value == "published"))
                Interlocked.Add(ref steps, value);
        });
        listener.Start();

        await using var stack = await SegmentNovuStack.StartAsync(CostMeasurement.Settings(("DeliveryLog:Enabled", enabled ? "true" : "false")));
        await CostMeasurement.WarmUpAsync(stack);
        var (stepsBefore, bytesBefore) = (Interlocked.Read(ref steps), Interlocked.Read(ref bytes));
        var cpu = new CpuMeter();
        var clock = Stopwatch.StartNew();
        await CostMeasurement.PostBatchesAsync(stack, $"log-{enabled}-{run}", events);
        await CostMeasurement.WaitForTriggersAsync(stack, 100 + events);
        var rate = events / clock.Elapsed.TotalSeconds;
        var perEvent = cpu.PerEvent(events);
        // The writer publishes off the events' path: wait for the steps of these events, so their bytes are counted.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (enabled && Interlocked.Read(ref steps) - stepsBefore < 2L * events && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var published = Interlocked.Read(ref steps) - stepsBefore;
        var written = Interlocked.Read(ref bytes) - bytesBefore;
        Console.WriteLine($"run {run}, log {(enabled ? "on " : "off")}: end to end {rate,7:0} events/s; {perEvent}" +
            (enabled ? $"; {published / (double)events:0.00} steps and {written / (double)events:0} bytes an event in the stream" : ""));
    }
}
