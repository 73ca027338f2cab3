using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// Novu with idempotency on (the stand-in's default): an answered key is answered the same way for 24 h, errors included.
/// A key is reused only when its answer was lost; any answered attempt moves to a fresh one.
/// </summary>
public sealed class When_novu_keeps_answers_under_idempotency_keys
{
    static string TrackWithMessageId(string messageId)
    {
        var track = JsonNode.Parse(Samples.Read("track"))!.AsObject();
        track["messageId"] = messageId;
        return track.ToJsonString();
    }

    static IReadOnlyList<ReceivedRequest> Triggers(SegmentNovuStack stack) =>
        [.. stack.Novu.Requests.Where(r => r.Path == "/v1/events/trigger")];

    [Fact]
    public async Task Should_deliver_after_a_5xx_from_novus_handler_with_a_fresh_key()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 500, Times: 1, InHandler: true));

        await stack.PostAsync(Samples.Read("track"));

        // The stand-in records a request once it has answered it, after the notification.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1 && Triggers(stack).Count == 2, "the track reached Novu after one 500");
        var triggers = Triggers(stack);
        Assert.Equal(2, triggers.Count);
        Assert.NotEqual(triggers[0].IdempotencyKey, triggers[1].IdempotencyKey);
        Assert.Equal("ajs-next-1700000000001-9a8b7c6d", Assert.Single(stack.Novu.Notifications).TransactionId);
    }

    [Fact]
    public async Task Should_reuse_the_key_when_novus_answer_was_lost()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 0, Times: 1, AfterProcessing: true));

        await stack.PostAsync(Samples.Read("track"));

        await SegmentNovuStack.WaitUntilAsync(() => Triggers(stack).Count == 2, "the trigger was asked again");
        var triggers = Triggers(stack);
        Assert.Equal(triggers[0].IdempotencyKey, triggers[1].IdempotencyKey);
        Assert.Single(stack.Novu.Notifications);
        Assert.Equal(0u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Track)));
    }

    [Theory]
    [InlineData("é-ünïcode-1")]
    [InlineData(null)]
    public async Task Should_reach_novu_whatever_the_message_id(string? messageId)
    {
        // The longest the ingest takes (Segment's own bound); a longer one is refused there (Ingest specs).
        messageId ??= new string('m', SegmentNovuWorker.Parsing.SegmentLimits.MaxMessageIdLength);
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(TrackWithMessageId(messageId));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1 && Triggers(stack).Count == 1, "the track reached Novu");
        Assert.Equal(messageId, Assert.Single(stack.Novu.Notifications).TransactionId);
        Assert.Single(Triggers(stack));
        Assert.True(Triggers(stack)[0].IdempotencyKey!.Length <= 255);
    }
}
