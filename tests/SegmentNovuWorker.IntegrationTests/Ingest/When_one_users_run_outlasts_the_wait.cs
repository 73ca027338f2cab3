using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// A user's events are confirmed one after another, so a long run of one user's events in one request can outlast the
/// wait for the broker: that request is answered 503. Its retry must go on where it stopped, or it would stop at the
/// same place every time and be refused until Segment gives up. Here the wait is cut to a fraction of what the run needs,
/// so that one request takes several attempts; Segment's 4000-event batch of one user and its 8 s are the same thing at
/// full size (docs/benchmark.md).
/// </summary>
public abstract class When_one_users_run_outlasts_the_wait(string shortWait) : IAsyncLifetime
{
    const int Events = 1000;
    const int MaxAttempts = 200;
    protected SegmentNovuStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // About a tenth of what 1000 sequential confirms take here: the run cannot fit in one attempt.
        Stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?> { [shortWait] = "00:00:00.250" }, startWorker: false);
        // The ingest's channel is set up (its exchanges and queues declared) by its first publish, under the wait of that
        // publish's request: a first request cut short in the middle of it wedges the channel (SegmentEventPublisher), which
        // is not what this test is about, so the first track goes through the other, unshortened wait.
        using var client = Stack.CreateIngestClient();
        using var warm = await WarmUpAsync(client);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();

    /// <summary>One track of another user, through the wait this class does not shorten.</summary>
    protected abstract Task<HttpResponseMessage> WarmUpAsync(HttpClient client);

    protected const string WarmUpTrack = """{"type":"track","messageId":"warm-up","userId":"u-warm-up","event":"User Registered"}""";

    protected static string Batch(string user) =>
        "[" + string.Join(",", Enumerable.Range(0, Events).Select(i =>
            $$$"""{"type":"track","messageId":"{{{user}}}-{{{i}}}","userId":"{{{user}}}","event":"User Registered","properties":{"n":{{{i}}}}}""")) + "]";

    protected async Task AcceptedOnARetryAsync(string user, Func<string, HttpRequestMessage> request)
    {
        using var client = Stack.CreateIngestClient();
        var body = Batch(user);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        while (statuses.Count < MaxAttempts && statuses.LastOrDefault() != HttpStatusCode.OK)
        {
            last?.Dispose();
            using var attempt = request(body);
            last = await client.SendAsync(attempt);
            statuses.Add(last.StatusCode);
        }

        Assert.True(statuses.Count > 1, "the run fitted in one attempt: the wait did not run out, so nothing here was tested");
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(HttpStatusCode.OK, statuses[^1]);
        var answer = await BodyAsync(last!);
        last!.Dispose();
        Assert.Equal(Events, answer["accepted"]!.GetValue<int>());
        Assert.True(answer["resumed"]!.GetValue<int>() > 0, "the accepted attempt published only what the earlier ones had not");

        // Each event once and in the request's order; the one in flight when an attempt's wait ran out may be there twice,
        // right behind itself (its confirm came too late to count), which the worker absorbs.
        var queued = (await QueuedMessage.PeekAllAsync(Stack.RabbitMq, CallQueues.PartitionQueueOf(user)))
            .Select(m => m.Header(DeadLetterHeaders.SegmentMessageId)!).ToList();
        var distinct = queued.Where((id, i) => i == 0 || queued[i - 1] != id).ToList();
        Assert.Equal(Enumerable.Range(0, Events).Select(i => $"{user}-{i}"), distinct);
        Assert.True(queued.Count - distinct.Count < statuses.Count, $"{queued.Count - distinct.Count} repeats in {statuses.Count} attempts");
    }
}

/// <summary>An Actions batch, under <c>Ingest:Webhook:PublishTimeout</c>.</summary>
[Collection(Alone.Name)]
public sealed class When_one_users_run_in_a_webhook_batch_outlasts_the_wait() : When_one_users_run_outlasts_the_wait("Ingest:Webhook:PublishTimeout")
{
    // A single event keeps Ingest:PublishTimeout.
    protected override Task<HttpResponseMessage> WarmUpAsync(HttpClient client) => client.PostAsync("/webhooks/segment", Json(WarmUpTrack));

    [Fact]
    public Task Should_accept_it_on_a_retry_with_each_event_queued_once_in_order() =>
        AcceptedOnARetryAsync("u-long-webhook", body => Webhook(body));
}

/// <summary>A <c>/v1/batch</c>, under <c>Ingest:PublishTimeout</c>.</summary>
[Collection(Alone.Name)]
public sealed class When_one_users_run_in_a_tracking_api_batch_outlasts_the_wait() : When_one_users_run_outlasts_the_wait("Ingest:PublishTimeout")
{
    // A webhook batch keeps Ingest:Webhook:PublishTimeout.
    protected override Task<HttpResponseMessage> WarmUpAsync(HttpClient client) => client.PostAsync("/webhooks/segment", Json("[" + WarmUpTrack + "]"));

    [Fact]
    public Task Should_accept_it_on_a_retry_with_each_event_queued_once_in_order() =>
        AcceptedOnARetryAsync("u-long-tracking", body => Tracking("/v1/batch", $$"""{"batch":{{body}}}""", "a-write-key"));
}
