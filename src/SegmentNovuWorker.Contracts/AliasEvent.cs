using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>alias</c> call: <see cref="PreviousId"/> and <c>UserId</c> are the same person.</summary>
public sealed record AliasEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string PreviousId) : ISegmentEvent;
