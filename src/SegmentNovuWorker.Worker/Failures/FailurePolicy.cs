using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.MassTransitSeam;
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
/// <item>Account failures (401, 402, 403: <see cref="NovuAccountException"/>) are retried by none of these: they pause every
/// endpoint (<see cref="AccountPause"/>) and the message goes back to its queue, never to <c>_error</c>.</item>
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
        var balancer = context.GetRequiredService<PartitionBalancer>();
        // A pre-pipe filter runs once per delivery, before MassTransit dispatches by message type; UseFilter would put it in
        // each message type's pipe, inside the retries, so every attempt would leave the lane and let the next event in.
        endpoint.UseDeliveryFilter(new UserLaneFilter(
            balancer.LanesFor(UserLaneFilter.QueueOf(endpoint.InputAddress)), holds, balancer, context.GetRequiredService<ILogger<UserLaneFilter>>()));

        var accountPause = context.GetRequiredService<AccountPause>();
        endpoint.ConnectReceiveEndpointObserver(accountPause);
        // First: an account failure (401, 402, 403) pauses every endpoint and returns the message to its queue; it is not the
        // event's fault, so it neither releases the user's hold nor reaches _error.
        endpoint.UseDeadLetterPipe(new AccountPauseFilter(accountPause), new HoldReleaseFilter(holds), new DeadLetterHeadersFilter());

        // Kept at hand: a delivery handed to redelivery leaves the pipeline as "consumed", so the wait-queue redelivery
        // reports those deliveries to the kill switch as the failures they are.
        var killSwitch = options.KillSwitch.Enabled
            ? endpoint.UseKillSwitch(options.KillSwitch.ActivationThreshold, options.KillSwitch.TripThreshold, options.KillSwitch.TrackingPeriod,
                options.KillSwitch.RestartTimeout, f => f.Handle<NovuRetryableException>())
            : null;

        endpoint.UseFilter(new AccountPauseGate(accountPause));

        // Outer layer first: redelivery wraps the in-process retries (as with MassTransit's UseDelayedRedelivery).
        // The observer connects itself to the endpoint's configuration in its constructor.
        _ = new WaitQueueRedeliveryConfigurationObserver(endpoint, context.GetRequiredService<WaitQueues>(), holds, killSwitch, r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter => new RetryAfterRetryPolicy(MassTransitInternals.Intervals(filter, options.RedeliveryDelays)));
        });

        endpoint.UseMessageRetry(r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter =>
                new RetryAfterRetryPolicy(MassTransitInternals.Intervals(filter, options.ImmediateDelays), options.MaxInProcessRetryAfter));
        });

        endpoint.ConnectConsumerConfigurationObserver(new FailureTrackingObserver(clock));
    }
}
