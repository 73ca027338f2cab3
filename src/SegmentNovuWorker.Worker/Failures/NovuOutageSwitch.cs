using System.Net;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// The outage switch (<c>Retry:KillSwitch</c>): when at least <see cref="OutageOptions.TripThreshold"/> percent of at least
/// <see cref="OutageOptions.ActivationThreshold"/> Novu attempts in <see cref="OutageOptions.TrackingPeriod"/> fail as an
/// outage does (5xx, timeouts, connection failures), it asks <see cref="ConsumptionControl"/> to stop every partition for
/// <see cref="ConsumptionReason.NovuOutage"/>, and to resume after <see cref="OutageOptions.RestartTimeout"/>; if Novu is still
/// down, the first attempts trip it again. Events meanwhile wait in their queues instead of burning their redeliveries.
/// </summary>
/// <remarks>
/// Hand-written, not MassTransit's kill switch: that one stops and restarts its endpoint by itself (a second hand on the
/// switch), counts per endpoint although Novu is one service for all of them, and never hears of an attempt that ends in
/// redelivery. Here every attempt counts, whatever the retry layer does with it. A 429 is not an outage: Novu is up and
/// asks for pacing, which the Novu client does; one that still surfaces does not count either way.
/// </remarks>
public sealed class NovuOutageSwitch(ConsumptionControl consumption, IOptions<RetryOptions> options, TimeProvider clock, ILogger<NovuOutageSwitch> logger)
{
    readonly Lock _gate = new();
    readonly Queue<(DateTimeOffset At, bool Failed)> _attempts = new();
    int _failures;
    bool _tripped;

    OutageOptions Options => options.Value.KillSwitch;

    /// <summary>An attempt that Novu answered as a working service would (success, or a rejection of this event).</summary>
    public void Succeeded() => Record(failed: false);

    /// <summary>An attempt that failed: counted when it looks like an outage.</summary>
    public void Failed(Exception exception)
    {
        if (exception is NovuRetryableException { StatusCode: not HttpStatusCode.TooManyRequests, KeyInFlight: false })
            Record(failed: true);
        else if (exception is NovuException)
            Record(failed: false); // Novu answered: it is up
    }

    void Record(bool failed)
    {
        if (!Options.Enabled)
            return;
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_tripped)
                return; // in-flight attempts finishing after the trip say nothing new
            _attempts.Enqueue((now, failed));
            if (failed)
                _failures++;
            while (_attempts.TryPeek(out var oldest) && now - oldest.At > Options.TrackingPeriod)
            {
                if (_attempts.Dequeue().Failed)
                    _failures--;
            }
            if (_attempts.Count < Options.ActivationThreshold || _failures * 100 < Options.TripThreshold * _attempts.Count)
                return;
            _tripped = true;
            logger.LogWarning("Novu looks down: {Failures} of the last {Attempts} attempts failed with 5xx, timeouts or connection errors. " +
                "Consumption stops for {RestartTimeout}, events wait in their queues", _failures, _attempts.Count, Options.RestartTimeout);
            _attempts.Clear();
            _failures = 0;
        }
        consumption.Stop(ConsumptionReason.NovuOutage);
        _ = ResumeLaterAsync();
    }

    async Task ResumeLaterAsync()
    {
        await Task.Delay(Options.RestartTimeout, clock);
        lock (_gate)
            _tripped = false;
        logger.LogInformation("Trying Novu again after the outage pause");
        await consumption.Resume(ConsumptionReason.NovuOutage);
    }
}
