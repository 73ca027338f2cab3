using System.Text.Json;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Messaging.DeliveryLog;

/// <summary>
/// One step of one event in the delivery log (the stream <see cref="DeliveryLogStream.Name"/>): what happened to it, when,
/// where, and what Novu answered. Personal data (the event's traits or properties) only in <see cref="Body"/>, and only
/// with <c>DeliveryLog:IncludeBodies</c>.
/// </summary>
/// <param name="Step">One of <see cref="DeliverySteps"/>.</param>
/// <param name="UserKey">Whose event: the userId, else the anonymousId (the key a user's events are ordered by).</param>
/// <param name="Endpoint">The Novu call of an attempt, e.g. <c>POST /v1/events/trigger</c>.</param>
/// <param name="HttpStatus">Novu's HTTP status; null when no answer came (timeout, refused connection).</param>
/// <param name="NovuStatus">Novu's own status for a trigger (<c>processed</c>, <c>trigger_not_active</c>, …).</param>
/// <param name="NovuMessage">Novu's error message.</param>
/// <param name="Reason">Why: a skip's or dead letter's reason class, a retried failure's.</param>
/// <param name="Until">A parked event comes back then.</param>
/// <param name="By">Who replayed it (an operator's name), or the process that recorded the step (<c>worker@host:pid</c>).</param>
public sealed record DeliveryStep(
    DateTimeOffset At,
    string MessageId,
    string Step,
    string? Type = null,
    string? UserKey = null,
    string? UserId = null,
    string? AnonymousId = null,
    string? Event = null,
    string? Workflow = null,
    string? Endpoint = null,
    int? HttpStatus = null,
    string? NovuStatus = null,
    string? NovuMessage = null,
    string? TransactionId = null,
    double? DurationMs = null,
    string? Reason = null,
    DateTimeOffset? Until = null,
    string? By = null,
    string? Detail = null,
    JsonElement? Body = null)
{
    /// <summary>Set by the reader: where the step sits in the stream (its <c>x-stream-offset</c>).</summary>
    public long? Offset { get; init; }

    /// <summary>The ingest's step, dated when the request arrived (before any worker step): the event is in its partition queue, confirmed.</summary>
    /// <param name="source"><c>webhook</c> or <c>tracking-api</c>.</param>
    /// <param name="request">The HTTP request it came in (its trace identifier).</param>
    public static DeliveryStep Accepted(ISegmentEvent e, string source, string request, DateTimeOffset at) =>
        new(at, e.MessageId, DeliverySteps.Accepted, SegmentCalls.Of(e).Name, SegmentCalls.UserKeyOf(e), e.UserId, e.AnonymousId,
            Event: e switch { TrackEvent t => t.Event, PageEvent p => p.Name, ScreenEvent s => s.Name, _ => null },
            Detail: $"accepted from the {source}, request {request}");
}

/// <summary>The kinds of <see cref="DeliveryStep.Step"/>.</summary>
public static class DeliverySteps
{
    /// <summary>The ingest published it to its partition queue and the broker confirmed it.</summary>
    public const string Accepted = "accepted";

    /// <summary>An attempt at Novu that Novu answered with success (its status and transactionId beside it).</summary>
    public const string Attempt = "attempt";

    /// <summary>An attempt that failed: Novu's answer, or none; <see cref="DeliveryStep.Reason"/> says whether it is retried.</summary>
    public const string AttemptFailed = "attempt-failed";

    /// <summary>Done: every Novu call the event needed went through.</summary>
    public const string Delivered = "delivered";

    /// <summary>Nothing sent, on purpose (unchanged identify, unmapped event with <c>Skip</c>, a condition false).</summary>
    public const string Skipped = "skipped";

    /// <summary>Parked in a wait queue for a delayed redelivery, until <see cref="DeliveryStep.Until"/>.</summary>
    public const string Parked = "parked";

    /// <summary>
    /// Put at the back of its user's hold queue, behind the user's earlier event in delayed redelivery: it runs once that one
    /// (and every event held before it) is done.
    /// </summary>
    public const string Held = "held";

    /// <summary>Moved to its partition's <c>_error</c> queue: a dead letter.</summary>
    public const string DeadLettered = "dead-lettered";

    /// <summary>Sent back to its queue from <c>_error</c> by an operator (<see cref="DeliveryStep.By"/>).</summary>
    public const string Replayed = "replayed";

    /// <summary>Not a step of an event: a reader's own marker, published to know when it has read everything before it.</summary>
    public const string Marker = "marker";

    /// <summary>Steps that end an event's story (until a replay).</summary>
    public static bool IsOutcome(string step) => step is Delivered or Skipped or DeadLettered or Parked;
}
