using MassTransit;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// The gate in front of every Novu attempt (<see cref="NovuAvailability"/>): while Novu is down or refuses the account, the
/// delivery waits here, unacknowledged, and tries again once Novu is usable; an attempt that fails because Novu went down
/// under it, or refused the account, waits the same way instead of using up a retry. A delivery that has waited
/// <see cref="WorkerOptions.NovuPauseLimit"/> since it arrived (under the broker's <c>consumer_timeout</c>, which would
/// close the channel) is parked for delayed redelivery in its user's order, without counting as a redelivery.
/// </summary>
public sealed class NovuGateFilter<TConsumer, TMessage>(NovuAvailability novu, WaitQueueRedelivery redelivery, TimeSpan pauseLimit)
    : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
    where TConsumer : class
    where TMessage : class
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("novuGate");

    public async Task Send(ConsumerConsumeContext<TConsumer, TMessage> context, IPipe<ConsumerConsumeContext<TConsumer, TMessage>> next)
    {
        while (true)
        {
            if (!await novu.WaitUsableAsync(pauseLimit - context.ReceiveContext.ElapsedTime, context.CancellationToken))
            {
                await redelivery.ParkWhileNovuIsUnusableAsync(context);
                novu.CountParked();
                return;
            }
            try
            {
                await novu.RunAsync(static s => s.next.Send(s.context), (next, context), context.CancellationToken);
                novu.Succeeded();
                return;
            }
            catch (Exception exception) when (novu.Absorbs(exception))
            {
                // Novu went down under this attempt, or refused the account: wait at the gate again, never in a loop
                // that does not yield (everything above can complete synchronously).
                await Task.Yield();
            }
        }
    }
}
