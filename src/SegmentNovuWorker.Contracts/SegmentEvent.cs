using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>
/// What every Segment call carries. <see cref="MessageId"/> is Segment's own messageId (or one derived from
/// the event's content when the sender gave none); it is the MassTransit message id, the Novu transactionId
/// and the idempotency handle end to end. The bus declares no exchange for it (Messaging's
/// <c>BusConfiguration.ExcludeSegmentEventFromTopology</c>).
/// </summary>
public interface ISegmentEvent
{
    string MessageId { get; }
    string? UserId { get; }
    string? AnonymousId { get; }
    DateTimeOffset? Timestamp { get; }
    JsonElement? Context { get; }
}
