namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Queue names of the service. The ingest API declares them too (see <see cref="BusConfiguration"/>),
/// so an event published before any worker ever ran waits in its queue instead of being dropped.
/// </summary>
public static class SegmentQueues
{
    public const string Identify = "segment-identify";
    public const string Track = "segment-track";

    /// <summary>MassTransit moves a message that failed for good to this queue.</summary>
    public static string ErrorQueueOf(string queue) => queue + "_error";

    /// <summary>MassTransit moves a message that no consumer on the endpoint handles to this queue.</summary>
    public static string SkippedQueueOf(string queue) => queue + "_skipped";
}
