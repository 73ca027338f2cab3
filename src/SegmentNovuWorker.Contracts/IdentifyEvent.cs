using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>identify</c> call: who the user is.</summary>
public sealed record IdentifyEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    JsonElement? Traits) : ISegmentEvent;
