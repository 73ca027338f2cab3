namespace SegmentNovuWorker.Operations.Queues;

/// <summary>One queue of the service as the broker sees it.</summary>
/// <param name="Kind"><c>main</c>, <c>wait</c>, <c>error</c>, <c>skipped</c> or <c>rejected</c>.</param>
public sealed record QueueStatus(string Name, string Kind, long Ready, long Unacked, long Consumers);
