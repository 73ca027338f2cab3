using MassTransit;
using SegmentNovuWorker.Worker.DeliveryLog;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// In the error pipe, before MassTransit moves the message to <c>_error</c>: adds the <c>SNW-*</c> headers (reason
/// class, last HTTP status, Novu's message, attempts, redeliveries, first/last failure) beside MassTransit's own
/// <c>MT-Fault-*</c> headers.
/// </summary>
public sealed class DeadLetterHeadersFilter(DeliveryRecorder? recorder = null) : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("deadLetterHeaders");

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var report = context.TryGetPayload<FailureReport>(out var tracked) ? tracked : FailureReport.FromHeaders(context.TransportHeaders);
        report.WriteDeadLetter(context.ExceptionHeaders, context.Exception, new DateTimeOffset(context.ExceptionTimestamp, TimeSpan.Zero));
        recorder?.DeadLettered(context);
        return next.Send(context);
    }
}
