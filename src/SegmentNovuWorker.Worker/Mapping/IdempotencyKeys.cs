using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>
/// The <c>Idempotency-Key</c> of each Novu call: the Segment messageId and the call, so every retry, redelivery
/// and replay of the same event presents the same key, and two different calls for one event do not collide.
/// </summary>
public static class IdempotencyKeys
{
    public static string For(ISegmentEvent segmentEvent, string operation) => $"segment-{segmentEvent.MessageId}-{operation}";
}
