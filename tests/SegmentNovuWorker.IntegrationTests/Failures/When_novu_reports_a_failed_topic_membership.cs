using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// Novu answers a topic subscription with 201 even when a subscriber could not join, and says so in the body. The
/// membership is retried and then dead-lettered with Novu's reason, never dropped.
/// </summary>
public sealed class When_novu_reports_a_failed_topic_membership
{
    [Fact]
    public async Task Should_retry_and_then_dead_letter_it_with_novus_reason()
    {
        await using var stack = await FailureStack.StartAsync();

        // A group for a user Novu has never seen (no identify): Novu reports SUBSCRIBER_NOT_FOUND inside a 201.
        await stack.PostAsync(Samples.Read("group"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Group);
        Assert.Equal("novu-unavailable-exhausted", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Contains("SUBSCRIBER_NOT_FOUND", deadLetter.Header(DeadLetterHeaders.NovuMessage), StringComparison.Ordinal);
        Assert.True(stack.Novu.Requests.Count(r => r.Path.EndsWith("/subscriptions", StringComparison.Ordinal)) > 1, "the membership was retried");
        Assert.Empty(stack.Novu.TopicSubscriptions.Values.SelectMany(s => s));
    }

    [Fact]
    public async Task Should_subscribe_a_user_that_novu_knows()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(Samples.Read("identify")); // the same user as the group sample
        await stack.PostAsync(Samples.Read("group"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.TopicSubscriptions.Values.Any(s => s.Length == 1), "the user joined the topic");
        Assert.Equal(0u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Group)));
    }
}
