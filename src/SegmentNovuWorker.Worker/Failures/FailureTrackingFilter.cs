using MassTransit;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.DeliveryLog;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Sits right in front of each consumer, inside the retry layers and the Novu gate, so it sees every attempt: counts it
/// and records when and how it failed in the message's <see cref="FailureReport"/> (which also moves the idempotency key
/// on after an answered failure, whatever then happens to the attempt).
/// </summary>
public sealed class FailureTrackingFilter<TConsumer, TMessage>(TimeProvider clock, DeliveryRecorder? recorder = null) : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
    where TConsumer : class
    where TMessage : class
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("failureTracking");

    public async Task Send(ConsumerConsumeContext<TConsumer, TMessage> context, IPipe<ConsumerConsumeContext<TConsumer, TMessage>> next)
    {
        var report = context.ReceiveContext.GetOrAddPayload(() => FailureReport.FromHeaders(context.Headers));
        report.RecordAttempt();
        var started = DeliveryRecorder.Start();
        try
        {
            await next.Send(context);
        }
        catch (Exception exception)
        {
            report.RecordFailure(exception, clock.GetUtcNow());
            recorder?.AttemptFailed(context, exception, exception is NovuRetryableException ? "retryable" : FailureReport.ReasonOf(exception), started);
            throw;
        }
    }
}

/// <summary>
/// Puts, in front of every consumer of an endpoint and inside its retry layers, the <see cref="NovuGateFilter{TConsumer,TMessage}"/>
/// and then a <see cref="FailureTrackingFilter{TConsumer,TMessage}"/>: each attempt first waits until Novu is usable, then is counted.
/// </summary>
public sealed class NovuAttemptObserver(TimeProvider clock, NovuAvailability novu, WaitQueueRedelivery redelivery, TimeSpan pauseLimit,
    DeliveryRecorder? recorder = null)
    : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
        configurator.UseFilter(new NovuGateFilter<TConsumer, TMessage>(novu, redelivery, pauseLimit));
        configurator.UseFilter(new FailureTrackingFilter<TConsumer, TMessage>(clock, recorder));
    }
}
