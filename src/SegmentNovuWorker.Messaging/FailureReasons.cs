namespace SegmentNovuWorker.Messaging;

/// <summary>The reason classes an operator sees on a dead-lettered message (<see cref="DeadLetterHeaders.Reason"/>).</summary>
public static class FailureReasons
{
    public const string NovuRejected = "novu-rejected";
    public const string NovuUnavailableExhausted = "novu-unavailable-exhausted";
    public const string UnmappedEvent = "unmapped-event";
    public const string MissingUserId = "missing-user-id";
    public const string MappingFailed = "mapping-failed";
    public const string InvalidMessage = "invalid-message";
    public const string Unexpected = "unexpected-error";
}
