namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Headers the worker puts on a message it moves to an <c>_error</c> queue, so an operator can see why without a
/// stack trace. MassTransit's own <c>MT-Fault-*</c> headers stay beside them.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>Reason class: one of <see cref="Contracts.FailureReasons"/>.</summary>
    public const string Reason = "SNW-Reason";

    /// <summary>The last HTTP status Novu answered (absent when no answer came: timeout, connection refused).</summary>
    public const string HttpStatus = "SNW-Http-Status";

    /// <summary>Novu's error message (or trigger status); never the API key.</summary>
    public const string NovuMessage = "SNW-Novu-Message";

    /// <summary>How many times the consumer ran for this message, over all retries and redeliveries.</summary>
    public const string Attempts = "SNW-Attempts";

    /// <summary>How many delayed redeliveries the message went through.</summary>
    public const string Redeliveries = "SNW-Redeliveries";

    /// <summary>When the first attempt failed (ISO 8601, UTC).</summary>
    public const string FirstFailureAt = "SNW-First-Failure-At";

    /// <summary>When the last attempt failed (ISO 8601, UTC).</summary>
    public const string LastFailureAt = "SNW-Last-Failure-At";

    /// <summary>
    /// Which <c>Idempotency-Key</c> generation the next attempt uses. It changes whenever Novu answered an attempt (Novu
    /// would replay that answer for 24 h) and stays when the answer was lost; an operator replay starts a new one.
    /// </summary>
    public const string IdempotencyLineage = "SNW-Idempotency-Lineage";

    /// <summary>The Segment messageId, set by the ingest API on every message.</summary>
    public const string SegmentMessageId = "Segment-MessageId";

    /// <summary>The Segment call (<c>track</c>, <c>identify</c>, …), set by the ingest API on every message.</summary>
    public const string SegmentCall = "Segment-Call";

    /// <summary>Whose events these are (<c>userId</c>, else <c>anonymousId</c>): the key events are kept in order by.</summary>
    public const string UserKey = "Segment-User-Key";

    /// <summary>
    /// Set on a message that leads its user's lane out of a hold: it returns from delayed redelivery, or was released
    /// from the user's hold queue, and is processed even though the hold still exists.
    /// </summary>
    public const string HoldHead = "SNW-Hold-Head";

    /// <summary>MassTransit's headers that make a message a fault or count its redeliveries; a replay strips them.</summary>
    public static readonly string[] FaultHeaderPrefixes = ["MT-Fault-", "MT-Reason", "MT-Redelivery-Count", "SNW-"];
}
