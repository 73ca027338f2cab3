using System.Net;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.UnitTests.Novu.Pacing;
using SegmentNovuWorker.UnitTests.NovuStandIn;

namespace SegmentNovuWorker.UnitTests.Novu.Triggers;

/// <summary>
/// <see cref="NovuClient.TriggerBulkAsync"/>, wired as the worker wires it (pacer included), against the stand-in's
/// <c>POST /v1/events/trigger/bulk</c>: each event gets its own outcome.
/// </summary>
public sealed class When_novu_answers_a_bulk_trigger
{
    static TriggerRequest Trigger(string transactionId, string workflow = "welcome") =>
        new(workflow, new JsonObject { ["subscriberId"] = "user-" + transactionId }, new JsonObject { ["n"] = transactionId }, transactionId);

    static Task<StandIn> StartAsync(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["StandIn:Workflows:0"] = "welcome" };
        foreach (var (key, value) in settings)
            all[key] = value;
        return StandIn.StartAsync(all);
    }

    [Fact]
    public async Task Should_fail_only_the_refused_event_with_novus_reason_and_trigger_the_others()
    {
        await using var standIn = await StartAsync();
        using var novu = PacedNovu.For(standIn);

        var outcomes = await novu.Client.TriggerBulkAsync([Trigger("t-1"), Trigger("t-2", workflow: "retired"), Trigger("t-3")], CancellationToken.None);

        Assert.Equal(["t-1", "t-2", "t-3"], outcomes.Select(o => o.Trigger.TransactionId));
        Assert.True(outcomes[0].Triggered);
        Assert.Equal("t-1", outcomes[0].Result!.TransactionId);
        var refused = Assert.IsType<NovuRejectedException>(outcomes[1].Failure);
        Assert.StartsWith("workflow_not_found", refused.NovuMessage);
        Assert.False(outcomes[1].WholeRequest);
        Assert.True(outcomes[2].Triggered);
        Assert.Equal(["t-1", "t-3"], standIn.State.Notifications.Select(n => n.TransactionId));
        var request = Assert.Single(standIn.State.Requests);
        Assert.Equal("/v1/events/trigger/bulk", request.Path);
        Assert.Null(request.IdempotencyKey);
    }

    [Fact]
    public async Task Should_make_every_event_retryable_when_novu_answers_the_bulk_with_a_5xx()
    {
        await using var standIn = await StartAsync();
        using var novu = PacedNovu.For(standIn);
        standIn.State.AddFault(new Fault("/v1/events/trigger/bulk", 503));

        var outcomes = await novu.Client.TriggerBulkAsync([Trigger("t-1"), Trigger("t-2")], CancellationToken.None);

        Assert.All(outcomes, o =>
        {
            var failure = Assert.IsType<NovuRetryableException>(o.Failure);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
            Assert.True(o.WholeRequest);
        });
        Assert.NotSame(outcomes[0].Failure, outcomes[1].Failure);
        Assert.Empty(standIn.State.Notifications);
    }

    [Fact]
    public async Task Should_make_every_event_retryable_when_novu_does_not_answer_in_time()
    {
        await using var standIn = await StartAsync();
        using var novu = PacedNovu.For(standIn, new Dictionary<string, string?> { ["Novu:AttemptTimeout"] = "00:00:00.200" });
        standIn.State.AddFault(new Fault("/v1/events/trigger/bulk", 201, DelayMs: 3000));

        var outcomes = await novu.Client.TriggerBulkAsync([Trigger("t-1"), Trigger("t-2")], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Null(Assert.IsType<NovuRetryableException>(o.Failure).StatusCode));
    }

    [Fact]
    public async Task Should_read_the_trigger_buckets_headers_and_spend_100_tokens_on_it()
    {
        // 20 calls a second: 100 a window, a bucket of 110; a bulk leaves 10, and the refill adds 20 a second.
        await using var standIn = await StartAsync(("StandIn:TriggerRatePerSecond", "20"));
        using var novu = PacedNovu.For(standIn);

        var outcomes = await novu.Client.TriggerBulkAsync([Trigger("t-1")], CancellationToken.None);

        Assert.True(Assert.Single(outcomes).Triggered);
        var pace = novu.Pace(NovuRateCategory.Trigger);
        Assert.Equal(100, pace.Limit);
        Assert.Equal(20, pace.RatePerSecond);
        // Under 60 for 2.5 s after the answer: far below the 109 a single call would have left.
        Assert.InRange(pace.EstimatedRemaining!.Value, 0, 60);
    }

    [Fact]
    public async Task Should_refuse_to_send_more_than_novus_100_events()
    {
        await using var standIn = await StartAsync();
        using var novu = PacedNovu.For(standIn);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            novu.Client.TriggerBulkAsync([.. Enumerable.Range(0, 101).Select(i => Trigger($"t-{i}"))], CancellationToken.None));
        Assert.Empty(standIn.State.Requests);
    }
}
