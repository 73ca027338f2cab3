using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>track</c> call: something the user did.</summary>
public sealed record TrackEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string Event,
    JsonElement? Properties) : ISegmentEvent;
