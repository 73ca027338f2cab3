using MassTransit;
using MassTransit.Middleware;
using MassTransit.RetryPolicies;
using MassTransit.Transports.Components;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Which failures are retried where, for every consumer endpoint (the README's "Failure semantics" says the same):
/// <list type="number">
/// <item>HTTP (Polly, in <c>AddNovuClient</c>): a per-attempt timeout only; it never retries.</item>
/// <item>In process (<c>UseMessageRetry</c>): <see cref="RetryOptions.Immediate"/>, only for <see cref="NovuRetryableException"/>;
/// a Retry-After up to <see cref="RetryOptions.MaxInProcessRetryAfter"/> is waited out, a longer one skips to 3.</item>
/// <item>Delayed redelivery (wait queues): <see cref="RetryOptions.Redelivery"/>, only for <see cref="NovuRetryableException"/>,
/// each delay at least the Retry-After.</item>
/// <item>Then, and at once for anything else (Novu rejections, unmappable events, undeserializable or unexpected
/// failures), the <c>_error</c> queue with the <c>SNW-*</c> headers.</item>
/// </list>
/// The kill switch stops the endpoint while most attempts fail with retryable Novu errors, so messages wait in the queue
/// instead of burning their redeliveries during an outage.
/// </summary>
public static class FailurePolicy
{
    public static void UseSegmentNovuFailurePolicy(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        // First in the consume pipe: a user's events in order, one at a time; retries and redeliveries happen inside.
        var options = context.GetRequiredService<IOptions<RetryOptions>>().Value;
        var clock = context.GetRequiredService<TimeProvider>();

        var holds = context.GetRequiredService<HoldQueues>();
        endpoint.UseFilter(new UserLaneFilter(new UserLanes(), holds));

        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new HoldReleaseFilter(holds));
            error.UseFilter(new DeadLetterHeadersFilter());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });

        // MassTransit's kill switch, as UseKillSwitch would set it up, but kept at hand: it only hears of faults that
        // leave the pipeline, and a delivery handed to redelivery leaves it as "consumed". The wait-queue redelivery
        // reports those deliveries to it as the failures they are.
        KillSwitch? killSwitch = null;
        if (options.KillSwitch.Enabled)
        {
            killSwitch = new KillSwitch(new KillSwitchOptions()
                .SetActivationThreshold(options.KillSwitch.ActivationThreshold)
                .SetTripThreshold(options.KillSwitch.TripThreshold)
                .SetTrackingPeriod(options.KillSwitch.TrackingPeriod)
                .SetRestartTimeout(options.KillSwitch.RestartTimeout)
                .SetExceptionFilter(f => f.Handle<NovuRetryableException>()));
            endpoint.ConnectReceiveEndpointObserver(killSwitch);
        }

        // Outer layer first: redelivery wraps the in-process retries (as with MassTransit's UseDelayedRedelivery).
        // The observer connects itself to the endpoint's configuration in its constructor.
        _ = new WaitQueueRedeliveryConfigurationObserver(endpoint, context.GetRequiredService<WaitQueues>(), holds, killSwitch, r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter => new RetryAfterRetryPolicy(new IntervalRetryPolicy(filter, options.RedeliveryDelays)));
        });

        endpoint.UseMessageRetry(r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter =>
                new RetryAfterRetryPolicy(new IntervalRetryPolicy(filter, options.ImmediateDelays), options.MaxInProcessRetryAfter));
        });

        endpoint.ConnectConsumerConfigurationObserver(new FailureTrackingObserver(clock));
    }
}
