namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Queue names of the service. The ingest API declares them too (see <see cref="BusConfiguration"/>),
/// so an event published before any worker ever ran waits in its queue instead of being dropped.
/// </summary>
public static class SegmentQueues
{
    public const string Identify = "segment-identify";
    public const string Track = "segment-track";
    public const string Page = "segment-page";
    public const string Screen = "segment-screen";
    public const string Group = "segment-group";
    public const string Delete = "segment-delete";
    public const string Alias = "segment-alias";

    /// <summary>Events the ingest API could not accept (inside an otherwise valid batch), kept with their reason.</summary>
    public const string Rejected = "segment-rejected";

    /// <summary>Every queue name of the service starts with this.</summary>
    public const string Prefix = "segment-";

    const string ErrorSuffix = "_error";
    const string SkippedSuffix = "_skipped";
    const string WaitInfix = "_wait_";

    /// <summary>MassTransit moves a message that failed for good to this queue.</summary>
    public static string ErrorQueueOf(string queue) => queue + ErrorSuffix;

    public static bool IsErrorQueue(string name) => name.EndsWith(ErrorSuffix, StringComparison.Ordinal);

    /// <summary>The queue whose dead letters <paramref name="errorQueue"/> holds (the name itself when it is not an error queue).</summary>
    public static string MainQueueOf(string errorQueue) => IsErrorQueue(errorQueue) ? errorQueue[..^ErrorSuffix.Length] : errorQueue;

    /// <summary>
    /// Where a message waits out a delayed redelivery of <paramref name="delay"/>: a queue with that TTL that
    /// dead-letters back to <paramref name="queue"/>.
    /// </summary>
    public static string WaitQueueOf(string queue, TimeSpan delay) => $"{queue}{WaitInfix}{(long)delay.TotalSeconds}s";

    public static bool IsWaitQueue(string name) => name.Contains(WaitInfix, StringComparison.Ordinal);

    /// <summary>Is this where MassTransit moves a message that no consumer on the endpoint handles?</summary>
    public static bool IsSkippedQueue(string name) => name.EndsWith(SkippedSuffix, StringComparison.Ordinal);
}
