using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_a_retry_repeats_a_call_novu_already_handled
{
    [Fact]
    public async Task Should_reach_novu_twice_but_notify_once()
    {
        await using var stack = await FailureStack.StartAsync();
        // Novu triggers the workflow, then the answer is lost (a 502 from a proxy): the worker must retry.
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 502, Times: 1, AfterProcessing: true));

        await stack.PostAsync(Samples.Read("track"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count == 2, "the trigger was retried");
        var requests = stack.Novu.Requests;
        Assert.Equal([502, 201], requests.Select(r => r.Status));
        // A status came back, so the retry takes a fresh key (had the 502 come from Novu's handler, Novu would replay it for
        // 24 h to the old one); the transactionId, the same in both, is what keeps Novu from notifying twice.
        Assert.NotEqual(requests[0].IdempotencyKey, requests[1].IdempotencyKey);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Single(stack.Novu.Notifications);
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }

    [Fact]
    public async Task Should_not_notify_twice_when_segment_sends_the_same_event_again()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(Samples.Read("track"));
        await stack.PostAsync(Samples.Read("track"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count == 2, "both deliveries reached Novu");
        Assert.Single(stack.Novu.Notifications);
    }
}
