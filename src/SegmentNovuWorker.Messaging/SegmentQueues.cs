namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Queue and exchange names of the service. Every Segment call goes to one of <see cref="TopologyOptions.Partitions"/>
/// partition queues, chosen by its user (<see cref="SegmentPartitions"/>); the ingest API declares them too (see
/// <see cref="BusConfiguration"/>), so an event published before any worker ever ran waits in its queue.
/// </summary>
public static class SegmentQueues
{
    /// <summary>Every queue name of the service starts with this.</summary>
    public const string Prefix = "segment-";

    const string PartitionPrefix = "segment-events-";

    /// <summary>Events the ingest API could not accept (inside an otherwise valid batch), kept with their reason.</summary>
    public const string Rejected = "segment-rejected";

    /// <summary>
    /// The direct exchange a user's held events are routed through: a user with an event in delayed redelivery has a
    /// hold queue bound here under its <see cref="SegmentPartitions.UserHash"/>.
    /// </summary>
    public const string HoldsExchange = "segment-holds";

    /// <summary>
    /// A queue that never holds a message: every running worker keeps one consumer on it, so its consumer count is the
    /// number of workers (a partition queue's count cannot tell: with a single active consumer it counts only that one).
    /// </summary>
    public const string Workers = "segment-workers";

    /// <summary>
    /// A stream of the first elements the ingest accepted from arrays signed over their first element only, read by
    /// every ingest replica so that none accepts such a body twice, across restarts.
    /// </summary>
    public const string FirstElementTickets = "segment-first-element-tickets";

    /// <summary>The delivery log: a stream of every step of every event, appended by every worker, indexed by the admin process.</summary>
    public const string DeliveryLog = "segment-delivery-log";

    const string HoldPrefix = "segment-hold-";
    const string HoldRegistryPrefix = "segment-holds-";
    const string ErrorSuffix = "_error";
    const string SkippedSuffix = "_skipped";
    const string WaitInfix = "_wait_";

    /// <summary>The queue of partition <paramref name="partition"/>: <c>segment-events-00</c>, <c>segment-events-01</c>, …</summary>
    public static string PartitionQueue(int partition) => $"{PartitionPrefix}{partition:00}";

    /// <summary>The partition number of a partition queue (or of its error queue); null for any other name.</summary>
    public static int? PartitionOf(string queue)
    {
        var name = MainQueueOf(queue);
        return name.StartsWith(PartitionPrefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(PartitionPrefix.Length), out var p) ? p : null;
    }

    public static bool IsPartitionQueue(string name) => PartitionOf(name) is not null && !IsErrorQueue(name) && !IsWaitQueue(name);

    /// <summary>Where a held user's later events wait, in order, while an earlier one is in delayed redelivery.</summary>
    public static string HoldQueueOf(string userHash) => HoldPrefix + userHash;

    public static bool IsHoldQueue(string name) => name.StartsWith(HoldPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The hold registry of a partition: one record per step of a hold's head (parked for redelivery, or released as the
    /// next head), so that the partition's consumer can find a hold whose head is in flight nowhere (the worker's
    /// <c>HoldSweeper</c>). <c>segment-holds-00</c>, … (not a <see cref="HoldQueueOf"/> name: no user hash).
    /// </summary>
    public static string HoldRegistryOf(string partitionQueue) =>
        HoldRegistryPrefix + (PartitionOf(partitionQueue) ?? throw new ArgumentException($"{partitionQueue} is not a partition queue.", nameof(partitionQueue))).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsHoldRegistry(string name) => name.StartsWith(HoldRegistryPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The partition of a hold queue's user, read from its name: the user hash is the start of the same SHA-256 that
    /// <see cref="SegmentPartitions.PartitionOf"/> reads.
    /// </summary>
    public static int PartitionOfUserHash(string userHash, int partitions) =>
        (int)(uint.Parse(userHash.AsSpan(0, 8), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) % (uint)partitions);

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

    /// <summary>Where MassTransit moves a message of <paramref name="queue"/> that no consumer on the endpoint handles.</summary>
    public static string SkippedQueueOf(string queue) => queue + SkippedSuffix;

    /// <summary>Is this where MassTransit moves a message that no consumer on the endpoint handles?</summary>
    public static bool IsSkippedQueue(string name) => name.EndsWith(SkippedSuffix, StringComparison.Ordinal);
}
