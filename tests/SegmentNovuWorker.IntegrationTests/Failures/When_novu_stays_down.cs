using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_novu_stays_down
{
    [Fact]
    public async Task Should_dead_letter_after_the_configured_redeliveries()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 500, Times: 1000));

        await stack.PostAsync(Samples.Read("track"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        // 3 deliveries (the first and 2 redeliveries) × 3 attempts each (the first and 2 in-process retries).
        Assert.Equal(9, stack.Novu.Requests.Count);
        Assert.Equal("novu-unavailable-exhausted", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("500", deadLetter.Header(DeadLetterHeaders.HttpStatus));
        Assert.Equal("9", deadLetter.Header(DeadLetterHeaders.Attempts));
        Assert.Equal("2", deadLetter.Header(DeadLetterHeaders.Redeliveries));
        var first = DateTimeOffset.Parse(deadLetter.Header(DeadLetterHeaders.FirstFailureAt)!, System.Globalization.CultureInfo.InvariantCulture);
        var last = DateTimeOffset.Parse(deadLetter.Header(DeadLetterHeaders.LastFailureAt)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last - first >= TimeSpan.FromSeconds(3), "the redeliveries waited 1 s and 2 s in their wait queues");
        Assert.Empty(stack.Novu.Notifications);
    }

    [Fact]
    public async Task Should_dead_letter_when_novu_cannot_be_reached_at_all()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:BaseUrl", "http://127.0.0.1:1/"));

        await stack.PostAsync(Samples.Read("identify"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Identify);
        Assert.Equal("novu-unavailable-exhausted", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Null(deadLetter.Header(DeadLetterHeaders.HttpStatus));
        Assert.Equal("9", deadLetter.Header(DeadLetterHeaders.Attempts));
    }

    [Fact]
    public async Task Should_still_deliver_a_message_waiting_for_redelivery_when_the_worker_restarts()
    {
        await using var stack = await FailureStack.StartAsync(("Retry:Redelivery:0", "00:00:04"), ("Retry:Redelivery:1", "00:00:08"));
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 3));
        var waitQueue = SegmentQueues.WaitQueueOf(CallQueues.PartitionQueueOf("97980cfea0067"), TimeSpan.FromSeconds(4));

        await stack.PostAsync(Samples.Read("track"));
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(waitQueue).GetAwaiter().GetResult() == 1, "the message waits in " + waitQueue);
        await stack.StopWorkerAsync();
        await stack.StartWorkerAsync();

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the waiting message was delivered");
        Assert.Equal(4, stack.Novu.Requests.Count);
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }
}
