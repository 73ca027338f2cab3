using MassTransit;
using MassTransit.Middleware;
using MassTransit.RetryPolicies;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Consumers;

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
        var options = context.GetRequiredService<IOptions<RetryOptions>>().Value;
        var clock = context.GetRequiredService<TimeProvider>();

        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new DeadLetterHeadersFilter());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });

        if (options.KillSwitch.Enabled)
        {
            endpoint.UseKillSwitch(k => k
                .SetActivationThreshold(options.KillSwitch.ActivationThreshold)
                .SetTripThreshold(options.KillSwitch.TripThreshold)
                .SetTrackingPeriod(options.KillSwitch.TrackingPeriod)
                .SetRestartTimeout(options.KillSwitch.RestartTimeout)
                .SetExceptionFilter(f => f.Handle<NovuRetryableException>()));
        }

        // Outer layer first: redelivery wraps the in-process retries (as with MassTransit's UseDelayedRedelivery).
        // The observer connects itself to the endpoint's configuration in its constructor.
        _ = new WaitQueueRedeliveryConfigurationObserver(endpoint, context.GetRequiredService<WaitQueues>(), r =>
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
