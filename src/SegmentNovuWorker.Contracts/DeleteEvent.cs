using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>Segment's user deletion (GDPR): <c>{"type":"delete","userId":…}</c>; the user's data must go.</summary>
public sealed record DeleteEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context) : ISegmentEvent;
