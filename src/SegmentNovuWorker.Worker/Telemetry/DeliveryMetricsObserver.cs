using MassTransit;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Telemetry;

/// <summary>
/// Counts retries, redeliveries and dead letters from MassTransit's observers, so the failure pipeline itself stays free
/// of metrics: an attempt after the first is a retry, a delivery with <c>MT-Redelivery-Count</c> a redelivery, and a
/// fault that escapes every retry layer ends in <c>_error</c> (except an account failure, which returns to the queue).
/// </summary>
public sealed class DeliveryMetricsObserver(SegmentNovuMetrics metrics) : IConsumeObserver, IReceiveObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.GetRetryAttempt() > 0)
            metrics.Retried(TypeOf(context));
        else if (context.GetRedeliveryCount() > 0)
            metrics.Redelivered(TypeOf(context));
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        if (!IsAccountFailure(exception))
            metrics.DeadLettered(TypeOf(context), FailureReport.ReasonOf(exception));
        return Task.CompletedTask;
    }

    static bool IsAccountFailure(Exception exception) =>
        exception is NovuAccountException || (exception.InnerException is { } inner && IsAccountFailure(inner));

    static string TypeOf(ConsumeContext context) => context.Headers.Get<string>(DeadLetterHeaders.SegmentCall) ?? "unknown";

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
