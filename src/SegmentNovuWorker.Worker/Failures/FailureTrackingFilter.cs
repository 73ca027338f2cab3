using MassTransit;
using SegmentNovuWorker.Worker.DeliveryLog;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Sits right in front of each consumer, inside the retry layers, so it sees every attempt: counts it, records when and
/// how it failed in the message's <see cref="FailureReport"/>, and tells the <see cref="NovuOutageSwitch"/>.
/// </summary>
public sealed class FailureTrackingFilter<TConsumer, TMessage>(TimeProvider clock, NovuOutageSwitch outage, DeliveryRecorder? recorder = null) : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
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
            outage.Succeeded();
        }
        catch (Exception exception)
        {
            report.RecordFailure(exception, clock.GetUtcNow());
            outage.Failed(exception);
            recorder?.AttemptFailed(context, exception, started);
            throw;
        }
    }
}

/// <summary>Puts a <see cref="FailureTrackingFilter{TConsumer,TMessage}"/> in front of every consumer of an endpoint.</summary>
public sealed class FailureTrackingObserver(TimeProvider clock, NovuOutageSwitch outage, DeliveryRecorder? recorder = null) : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        configurator.UseFilter(new FailureTrackingFilter<TConsumer, TMessage>(clock, outage, recorder));
}
