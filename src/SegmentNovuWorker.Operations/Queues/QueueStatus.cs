namespace SegmentNovuWorker.Operations.Queues;

/// <summary>One queue of the service as the broker sees it.</summary>
/// <param name="Kind"><c>partition</c>, <c>wait</c>, <c>hold</c>, <c>error</c>, <c>skipped</c>, <c>rejected</c> or <c>workers</c> (one consumer per running worker).</param>
/// <param name="Partition">The partition number of a partition queue or of its <c>_error</c> queue.</param>
/// <param name="ActiveConsumer">
/// The connection of the consumer that takes its messages (a partition queue has one active consumer; the others stand
/// by): the worker's host and process id, <c>segment-novu-worker@host:pid</c>.
/// </param>
public sealed record QueueStatus(string Name, string Kind, long Ready, long Unacked, long Consumers, int? Partition = null, string? ActiveConsumer = null);
