using System.Text.Json;

namespace SegmentNovuWorker.Contracts;

/// <summary>What every Segment call carries, read once before the call's own fields.</summary>
public sealed record SegmentEventFields(string MessageId, string? UserId, string? AnonymousId, DateTimeOffset? Timestamp, JsonElement? Context);

/// <summary>A Segment call read from JSON: its message, or why the JSON cannot be one.</summary>
public readonly record struct SegmentCallRead(ISegmentEvent? Event, string? Error)
{
    public static SegmentCallRead Invalid(string error) => new(null, error);
    public static implicit operator SegmentCallRead(IdentifyEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(TrackEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(PageEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(ScreenEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(GroupEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(AliasEvent e) => new(e, null);
    public static implicit operator SegmentCallRead(DeleteEvent e) => new(e, null);
}

/// <summary>
/// One Segment call (<c>identify</c>, <c>track</c>, …): its Spec name, its message record, whether Segment's tracking API
/// has a <c>/v1/{name}</c> route for it, and how its own fields are read.
/// </summary>
public sealed record SegmentCall(string Name, Type MessageType, bool HasTrackingRoute, Func<SegmentEventFields, JsonElement, SegmentCallRead> Read);

/// <summary>
/// The one table of Segment calls. The parser, the tracking-API routes, the broker topology, the worker's consumer
/// registration and the operator tool all read it: adding a call is a row here, its record, its consumer.
/// </summary>
public static class SegmentCalls
{
    public static readonly SegmentCall Identify = new("identify", typeof(IdentifyEvent), true,
        (f, e) => new IdentifyEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, SegmentJson.Object(e, "traits")));

    public static readonly SegmentCall Track = new("track", typeof(TrackEvent), true,
        (f, e) => SegmentJson.String(e, "event") is { Length: > 0 } name
            ? new TrackEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, name, SegmentJson.Object(e, "properties"))
            : SegmentCallRead.Invalid("A track event needs a non-empty \"event\" name."));

    public static readonly SegmentCall Page = new("page", typeof(PageEvent), true,
        (f, e) => new PageEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, SegmentJson.String(e, "name"), SegmentJson.Object(e, "properties")));

    public static readonly SegmentCall Screen = new("screen", typeof(ScreenEvent), true,
        (f, e) => new ScreenEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, SegmentJson.String(e, "name"), SegmentJson.Object(e, "properties")));

    public static readonly SegmentCall Group = new("group", typeof(GroupEvent), true,
        (f, e) => SegmentJson.Identifier(e, "groupId") is { } groupId
            ? new GroupEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, groupId, SegmentJson.Object(e, "traits"))
            : SegmentCallRead.Invalid("A group event needs a \"groupId\"."));

    public static readonly SegmentCall Alias = new("alias", typeof(AliasEvent), true,
        (f, e) => SegmentJson.Identifier(e, "previousId") is { } previousId
            ? new AliasEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context, previousId)
            : SegmentCallRead.Invalid("An alias event needs a \"previousId\"."));

    /// <summary>Segment's user deletion (GDPR): sent to webhooks only, so no tracking-API route.</summary>
    public static readonly SegmentCall Delete = new("delete", typeof(DeleteEvent), false,
        (f, _) => new DeleteEvent(f.MessageId, f.UserId, f.AnonymousId, f.Timestamp, f.Context));

    public static readonly IReadOnlyList<SegmentCall> All = [Identify, Track, Page, Screen, Group, Alias, Delete];

    static readonly Dictionary<string, SegmentCall> ByNameIndex = All.ToDictionary(c => c.Name, StringComparer.Ordinal);
    static readonly Dictionary<Type, SegmentCall> ByTypeIndex = All.ToDictionary(c => c.MessageType);

    /// <summary>The names, for messages that list them.</summary>
    public static string Names => string.Join(", ", All.Select(c => c.Name));

    public static SegmentCall? ByName(string? name) => name is not null && ByNameIndex.TryGetValue(name, out var call) ? call : null;

    public static SegmentCall? ByMessageType(Type type) => ByTypeIndex.GetValueOrDefault(type);

    /// <summary>The call of a message (<c>track</c> for a <see cref="TrackEvent"/>).</summary>
    public static SegmentCall Of(ISegmentEvent segmentEvent) =>
        ByMessageType(segmentEvent.GetType()) ?? throw new ArgumentException($"{segmentEvent.GetType().Name} is not a Segment call.", nameof(segmentEvent));

    /// <summary>
    /// Whose events these are, for ordering: the <c>userId</c>, else the <c>anonymousId</c>. Events with one key reach
    /// Novu in the order the ingest accepted them.
    /// </summary>
    public static string UserKeyOf(ISegmentEvent segmentEvent) =>
        !string.IsNullOrEmpty(segmentEvent.UserId) ? segmentEvent.UserId : segmentEvent.AnonymousId ?? segmentEvent.MessageId;
}
