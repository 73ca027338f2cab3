using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// Names tests use for "where the events of one Segment call are": the call's name (<c>track</c>), or with
/// <c>_error</c> for its dead letters. The events themselves sit in the partition queues, mixed with other calls;
/// <see cref="RabbitMqBroker"/> and <see cref="QueuedMessage"/> read such a name as the messages of every partition
/// queue (or <c>_error</c> queue) whose <c>Segment-Call</c> header is that call.
/// </summary>
public static class CallQueues
{
    public const string Identify = "identify";
    public const string Track = "track";
    public const string Page = "page";
    public const string Screen = "screen";
    public const string Group = "group";
    public const string Alias = "alias";
    public const string Delete = "delete";

    /// <summary>The partitions the test stacks run with (the default).</summary>
    public static readonly int Partitions = new TopologyOptions().Partitions;

    public static string ErrorOf(string call) => SegmentQueues.ErrorQueueOf(call);

    /// <summary>The partition queue a user's events go to (with the default partition count).</summary>
    public static string PartitionQueueOf(string userKey) => SegmentQueues.PartitionQueue(SegmentPartitions.PartitionOf(userKey, Partitions));

    /// <summary>The real queues behind a name, and the call their messages must be; null when the name is a real queue.</summary>
    public static (IReadOnlyList<string> Queues, string Call)? Resolve(string name)
    {
        var call = SegmentQueues.MainQueueOf(name);
        if (SegmentCalls.ByName(call) is null)
            return null;
        var error = SegmentQueues.IsErrorQueue(name);
        return ([.. Enumerable.Range(0, Partitions).Select(p => error
            ? SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(p))
            : SegmentQueues.PartitionQueue(p))], call);
    }
}
