using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_novu_rejects_the_request
{
    [Fact]
    public async Task Should_dead_letter_a_422_after_one_attempt_with_the_reason()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: 1, Message: "workflow_not_found"));

        await stack.PostAsync(Samples.Read("track"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Single(stack.Novu.Requests);
        Assert.Equal("novu-rejected", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("422", deadLetter.Header(DeadLetterHeaders.HttpStatus));
        Assert.Equal("workflow_not_found", deadLetter.Header(DeadLetterHeaders.NovuMessage));
        Assert.Equal("1", deadLetter.Header(DeadLetterHeaders.Attempts));
        Assert.Equal("0", deadLetter.Header(DeadLetterHeaders.Redeliveries));
        Assert.Equal("ajs-next-1700000000001-9a8b7c6d", deadLetter.Header(DeadLetterHeaders.SegmentMessageId));
        Assert.NotNull(deadLetter.Header(DeadLetterHeaders.FirstFailureAt));
        Assert.Contains("NovuRejectedException", deadLetter.Header("MT-Fault-ExceptionType"));
        Assert.DoesNotContain(SegmentNovuStack.NovuApiKey, string.Join(" ", deadLetter.Headers.Values) + deadLetter.Body);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(501)]
    public async Task Should_not_retry_other_fatal_statuses(int status)
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v2/subscribers", status, Times: 1));

        await stack.PostAsync(Samples.Read("identify"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Identify);
        Assert.Single(stack.Novu.Requests);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), deadLetter.Header(DeadLetterHeaders.HttpStatus));
    }

    [Fact]
    public async Task Should_dead_letter_a_trigger_whose_workflow_is_not_active()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 201, Times: 1, TriggerStatus: "trigger_not_active"));

        await stack.PostAsync(Samples.Read("track"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Single(stack.Novu.Requests);
        Assert.Equal("novu-rejected", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("trigger_not_active", deadLetter.Header(DeadLetterHeaders.NovuMessage));
    }
}
