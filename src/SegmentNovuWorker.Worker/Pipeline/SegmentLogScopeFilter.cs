using System.Diagnostics;
using MassTransit;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Worker.Pipeline;

/// <summary>
/// Opens the <c>SegmentMessageId</c> log scope for the whole consume pipeline of a message, so MassTransit's own lines
/// about it (retries, redeliveries) carry the Segment messageId as well as the consumers' lines; and tags the consume span with it.
/// </summary>
public sealed class SegmentLogScopeFilter(ILogger<SegmentLogScopeFilter> logger) : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("segmentLogScope");

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var segmentMessageId = context.Headers.Get<string>(DeadLetterHeaders.SegmentMessageId);
        using var scope = segmentMessageId is null ? null : logger.BeginSegmentMessageScope(segmentMessageId);
        // Inside MassTransit's consume span: the trace of an event is found by its messageId.
        SegmentTracing.Tag(Activity.Current, segmentMessageId, context.Headers.Get<string>(DeadLetterHeaders.SegmentCall));
        await next.Send(context);
    }
}
