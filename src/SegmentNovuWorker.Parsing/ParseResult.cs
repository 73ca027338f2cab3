using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Parsing;

/// <summary>What was wrong with an event, and where (its index in a batch, or null for a single event).</summary>
public sealed record EventError(int? Index, string Detail);

/// <summary>An event of a batch that cannot be accepted: why, where, and its JSON text as received.</summary>
public sealed record InvalidEvent(int Index, string Reason, string RawEvent, string MessageId, string? UserId, string? AnonymousId);

/// <summary>Why a whole request is refused: 400 (not Segment JSON) or 413 (over a limit).</summary>
public sealed record RequestError(int Status, string Title, string Detail, IReadOnlyList<EventError> Errors);

/// <summary>A request body read as Segment events.</summary>
public sealed record ParseResult
{
    /// <summary>Set when the whole request is refused; nothing of it is published.</summary>
    public RequestError? Error { get; init; }

    /// <summary>True for an array or a <c>/v1/batch</c>: invalid events are then kept aside rather than refusing the request.</summary>
    public bool IsBatch { get; init; }

    /// <summary>Valid events that go to Novu.</summary>
    public IReadOnlyList<ISegmentEvent> Events { get; init; } = [];

    /// <summary>Invalid events of a batch.</summary>
    public IReadOnlyList<InvalidEvent> Invalid { get; init; } = [];

    /// <summary>Valid events the sender opted out of Novu for (<c>integrations</c>); acknowledged, not published.</summary>
    public int OptedOut { get; init; }

    /// <summary>Nothing wrong: no request error and no invalid event.</summary>
    public bool IsValid => Error is null && Invalid.Count == 0;

    /// <summary>Everything wrong, request-level or per event, with the index of the event when there is one.</summary>
    public IReadOnlyList<EventError> Errors => Error switch
    {
        { Errors.Count: > 0 } e => e.Errors,
        { } e => [new EventError(null, e.Detail)],
        null => [.. Invalid.Select(i => new EventError(i.Index, i.Reason))],
    };

    public static ParseResult Refused(int status, string title, string detail, IReadOnlyList<EventError>? errors = null) =>
        new() { Error = new RequestError(status, title, detail, errors ?? []) };
}
