using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>One message in an <c>_error</c> queue, as an operator reads it.</summary>
/// <param name="Queue">The <c>_error</c> queue it is in.</param>
/// <param name="OriginalQueue">The queue a replay sends it back to.</param>
/// <param name="MessageId">The Segment messageId (also Novu's transactionId for a track).</param>
/// <param name="Type"><c>track</c>, <c>identify</c>, <c>page</c>, … : the message type's name without "Event".</param>
/// <param name="EventName">A track's event name, a page's or screen's name.</param>
/// <param name="Reason">The worker's reason class (<c>SNW-Reason</c>), else derived from MassTransit's exception type, else <c>unknown</c>.</param>
public sealed record DeadLetter(
    string Queue,
    string OriginalQueue,
    string MessageId,
    string Type,
    string? EventName,
    string? UserId,
    string Reason,
    int? HttpStatus,
    string? NovuMessage,
    int? Attempts,
    int? Redeliveries,
    DateTimeOffset? FirstFailureAt,
    DateTimeOffset? LastFailureAt,
    string? ExceptionType,
    string? ExceptionMessage);

/// <summary>A dead letter with everything it carries: every header, the Segment event and MassTransit's envelope.</summary>
public sealed record DeadLetterDetail(
    DeadLetter DeadLetter,
    string? AmqpMessageId,
    string? ContentType,
    IReadOnlyDictionary<string, string?> Headers,
    JsonNode? Event,
    JsonNode? Envelope);
