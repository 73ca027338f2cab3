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

    /// <summary>MassTransit moves a message that failed for good to this queue.</summary>
    public static string ErrorQueueOf(string queue) => queue + "_error";

    /// <summary>
    /// Where a message waits out a delayed redelivery of <paramref name="delay"/>: a queue with that TTL that
    /// dead-letters back to <paramref name="queue"/>'s exchange.
    /// </summary>
    public static string WaitQueueOf(string queue, TimeSpan delay) => $"{queue}_wait_{(long)delay.TotalSeconds}s";

    /// <summary>MassTransit moves a message that no consumer on the endpoint handles to this queue.</summary>
    public static string SkippedQueueOf(string queue) => queue + "_skipped";
}
