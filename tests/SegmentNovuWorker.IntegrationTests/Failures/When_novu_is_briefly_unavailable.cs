using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_novu_is_briefly_unavailable
{
    [Fact]
    public async Task Should_deliver_once_after_503s_outlast_the_in_process_retries()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 3));

        await stack.PostAsync(Samples.Read("track"));

        // Three failed attempts in process, then a redelivery through the 1 s wait queue that succeeds.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the trigger went through");
        Assert.Equal([503, 503, 503, 201], stack.Novu.Requests.Select(r => r.Status));
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }

    [Fact]
    public async Task Should_retry_a_reset_connection_and_a_timed_out_attempt()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:AttemptTimeout", "00:00:01.500"));
        stack.Novu.AddFault(new Fault("/v2/subscribers", 0, Times: 1));              // connection reset
        stack.Novu.AddFault(new Fault("/v2/subscribers", 201, Times: 1, DelayMs: 5000)); // slower than the attempt timeout

        await stack.PostAsync(Samples.Read("identify"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Subscribers.ContainsKey("97980cfea0067"), "the subscriber was upserted");
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Identify)));
    }

    [Fact]
    public async Task Should_wait_at_least_retry_after_before_the_next_attempt()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 429, Times: 1, RetryAfterSeconds: 2));

        await stack.PostAsync(Samples.Read("track"));

        // The stand-in records a request once it has answered it: wait for the record, not only the notification.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1 && stack.Novu.Requests.Count == 2, "the trigger went through");
        var attempts = stack.Novu.Requests;
        Assert.Equal([429, 201], attempts.Select(r => r.Status));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(2),
            $"The retry came {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms after the 429 with Retry-After: 2");
    }

    [Fact]
    public async Task Should_retry_novus_idempotency_conflict_but_not_a_plain_conflict()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 409, Times: 1, RetryAfterSeconds: 1, Message: "Request with the same idempotency key is being processed"));
        stack.Novu.AddFault(new Fault("/v2/subscribers", 409, Times: 1, Message: "Subscriber already exists"));

        await stack.PostAsync(Samples.Read("track"));
        await stack.PostAsync(Samples.Read("identify"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the trigger went through");
        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Identify);
        Assert.Equal("novu-rejected", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("409", deadLetter.Header(DeadLetterHeaders.HttpStatus));
    }
}
