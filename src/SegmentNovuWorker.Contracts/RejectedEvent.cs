using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>
/// An event of an otherwise accepted batch that the ingest API could not accept, kept in <c>segment-rejected</c>
/// with why, so it is not lost and an operator can see it. Nothing consumes it.
/// </summary>
/// <param name="Reason">Why it was refused, in words.</param>
/// <param name="Index">Its position in the batch.</param>
/// <param name="RawEvent">The event's JSON text as it was received.</param>
/// <param name="Source">Where it came from: <c>webhook</c> or <c>tracking-api</c>.</param>
public sealed record RejectedEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string Reason,
    int Index,
    string RawEvent,
    DateTimeOffset ReceivedAt,
    string Source) : ISegmentEvent;
