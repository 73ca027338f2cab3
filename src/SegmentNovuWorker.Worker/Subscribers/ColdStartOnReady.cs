using MassTransit;

namespace SegmentNovuWorker.Worker.Subscribers;

/// <summary>
/// Drops the <see cref="SubscriberMemory"/> whenever one of this worker's partition endpoints (re)starts: the partition may
/// have been consumed by another worker meanwhile (a hand-over, a lost connection), which may have changed its subscribers.
/// </summary>
public sealed class ColdStartOnReady(SubscriberMemory memory) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        memory.ForgetAll();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
