using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// The event itself cannot become a Novu call (no workflow mapped, no user to notify). Never retried: it goes
/// to the <c>_error</c> queue with <see cref="Reason"/> as its reason class.
/// </summary>
public abstract class EventRejectedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>A track/page/screen name that maps to no Novu workflow, under <c>Novu:UnmappedEvents = DeadLetter</c>.</summary>
public sealed class UnmappedEventException(string eventName)
    : EventRejectedException(FailureReasons.UnmappedEvent, $"No Novu workflow is mapped to event '{eventName}' (Novu:Workflows).");

/// <summary>An event without a userId, under <c>Novu:MissingUserId = DeadLetter</c> (or without any id at all).</summary>
public sealed class MissingUserIdException(string message)
    : EventRejectedException(FailureReasons.MissingUserId, message);

/// <summary>A message that arrived but cannot be what its type says (a track without an event name, say).</summary>
public sealed class InvalidMessageException(string message)
    : EventRejectedException(FailureReasons.InvalidMessage, message);
