using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>page</c> call: the user viewed a web page (<see cref="Name"/> may be absent).</summary>
public sealed record PageEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string? Name,
    JsonElement? Properties) : ISegmentEvent;
