namespace SegmentNovuWorker.Contracts;

/// <summary>The reason classes an operator sees on a dead-lettered message (the worker's <c>SNW-Reason</c> header). In Contracts, so every project (the mapping rules, the tools) reads them without the messaging stack.</summary>
public static class FailureReasons
{
    public const string NovuRejected = "novu-rejected";
    public const string NovuUnavailableExhausted = "novu-unavailable-exhausted";
    public const string UnmappedEvent = "unmapped-event";
    public const string MissingUserId = "missing-user-id";
    public const string MappingFailed = "mapping-failed";
    public const string InvalidMessage = "invalid-message";
    public const string Unexpected = "unexpected-error";

    /// <summary>
    /// The partition queue handed the message out <c>QueueArguments.DeliveryLimit</c> times without it being settled, as
    /// when it crashes the worker's process: the worker puts it in <c>_error</c> on its last hand-out, untried; RabbitMQ
    /// itself does after one more return (a worker that died even then).
    /// </summary>
    public const string DeliveryLimit = "delivery-limit";
}
