using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>
/// The <c>Idempotency-Key</c> of each Novu call: the Segment messageId and the call, so every retry, redelivery
/// and replay of the same event presents the same key, and two different calls for one event do not collide.
/// </summary>
public static class IdempotencyKeys
{
    public static string For(ISegmentEvent segmentEvent, string operation) => $"segment-{segmentEvent.MessageId}-{operation}";

    /// <summary>
    /// A trigger's key follows its transactionId: today's form keeps <c>segment-{messageId}-trigger</c>; each further rule
    /// that one event matches gets its own, since one key with two different bodies is refused by Novu.
    /// </summary>
    public static string ForTrigger(string transactionId) => $"segment-{transactionId}-trigger";
}
