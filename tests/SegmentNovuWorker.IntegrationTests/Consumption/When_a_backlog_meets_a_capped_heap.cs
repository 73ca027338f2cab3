using SegmentNovuWorker.IntegrationTests.Ordering;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Consumption;

/// <summary>
/// A backlog that fills every partition's prefetch, drained by a worker process whose GC heap is capped where a 512Mi
/// container caps it (75 %: 384 MiB). Before the steady core, such a worker died (<c>OutOfMemoryException</c> in the
/// receive transport, then "Internal CLR error") a few thousand deliveries in: a crash loop after every outage that
/// built a backlog; this spec, run against that code (ad39f34, 16 partitions × a prefetch of 1000 held and run at once),
/// saw the process die too. It runs with the defaults a user gets (<c>Worker:MaxHeld</c> 2000 held, <c>Worker:MaxRunning</c>
/// 500 of them running). Trimmed here to 24,000 events, each of its own user, so every partition is full from the start;
/// the benchmark drains 100,000 (<c>-- backlog 100000</c> with <c>SNW_BENCH_WORKER_HEAP_LIMIT=0x18000000</c>) and prints
/// the peak RSS.
/// </summary>
public sealed class When_a_backlog_meets_a_capped_heap
{
    const int Events = 24_000;

    [Fact]
    public async Task Should_drain_every_event_once_without_the_worker_dying()
    {
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>(), startWorker: false);
        using var client = stack.CreateIngestClient();
        var events = Enumerable.Range(0, Events).Select(i => UserFlow.Registered($"backlog-{i}")).ToList();
        await Parallel.ForEachAsync(events.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, _) =>
            await UserFlow.PostAsync(client, "[" + string.Join(",", chunk) + "]"));

        var settings = new Dictionary<string, string?>(stack.Settings) { ["DOTNET_GCHeapHardLimit"] = "0x18000000" };
        using var worker = WorkerProcess.Start(settings);
        // A generous bound: about 30 s on an idle 2-core machine; the rest is room for a machine shared with other builds.
        try
        {
            await SegmentNovuStack.WaitUntilAsync(() => worker.HasExited || stack.Novu.Notifications.Count >= Events,
                $"{Events} triggers reached Novu", TimeSpan.FromMinutes(8));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} ({stack.Novu.Notifications.Count} did)\n" + string.Join("\n", worker.Output.TakeLast(30)), exception);
        }

        Assert.False(worker.HasExited, "The worker process died:\n" + string.Join("\n", worker.Output.TakeLast(30)));
        Assert.Equal(Events, stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count());
        foreach (var partition in new TopologyOptions().All)
            Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(partition))) ?? 0);
    }
}
