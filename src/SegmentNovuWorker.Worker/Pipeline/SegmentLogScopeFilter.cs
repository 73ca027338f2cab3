using MassTransit;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Pipeline;

/// <summary>
/// Opens the <c>SegmentMessageId</c> log scope for the whole consume pipeline of a message, so MassTransit's own lines
/// about it (retries, redeliveries) carry the Segment messageId as well as the consumers' lines.
/// </summary>
public sealed class SegmentLogScopeFilter(ILogger<SegmentLogScopeFilter> logger) : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("segmentLogScope");

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var segmentMessageId = context.Headers.Get<string>(DeadLetterHeaders.SegmentMessageId);
        using var scope = segmentMessageId is null ? null : logger.BeginSegmentMessageScope(segmentMessageId);
        await next.Send(context);
    }
}
