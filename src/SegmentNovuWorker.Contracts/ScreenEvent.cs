using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>screen</c> call: the user viewed a screen of a mobile app (<see cref="Name"/> may be absent).</summary>
public sealed record ScreenEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string? Name,
    JsonElement? Properties) : ISegmentEvent;
