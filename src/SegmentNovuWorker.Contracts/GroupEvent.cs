using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>A Segment <c>group</c> call: the user belongs to a group (account, organization, team).</summary>
public sealed record GroupEvent(
    string MessageId,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset? Timestamp,
    JsonElement? Context,
    string GroupId,
    JsonElement? Traits) : ISegmentEvent;
