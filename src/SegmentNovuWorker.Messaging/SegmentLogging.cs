using Microsoft.Extensions.Logging;

namespace SegmentNovuWorker.Messaging;

public static class SegmentLogging
{
    /// <summary>Puts the Segment messageId on every log line written inside the scope.</summary>
    public static IDisposable? BeginSegmentMessageScope(this ILogger logger, string segmentMessageId) =>
        logger.BeginScope("SegmentMessageId:{SegmentMessageId}", segmentMessageId);
}
