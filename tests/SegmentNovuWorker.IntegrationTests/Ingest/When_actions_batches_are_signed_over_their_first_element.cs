using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// <c>Segment:AcceptFirstElementSignature=true</c> (Segment's Actions batch mode signs only the array's first element):
/// a body is accepted once per first element, while that element is within the window (six hours by default, beyond
/// Segment's four hours of retries); a repeat publishes nothing, on this ingest, after its restart, or on another
/// replica, since the accepted first elements are kept in the <c>segment-first-element-tickets</c> stream.
/// </summary>
public sealed class When_actions_batches_are_signed_over_their_first_element : IAsyncLifetime
{
    const string Secret = "actions-secret";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Segment:SharedSecret"] = Secret,
            ["Segment:AcceptFirstElementSignature"] = "true",
        }, startWorker: false);
        await WaitUntilReadyAsync(_stack.IngestApp!);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static Task WaitUntilReadyAsync(WebApplication ingest)
    {
        var tickets = ingest.Services.GetRequiredService<FirstElementTickets>();
        return SegmentNovuStack.WaitUntilAsync(() => tickets.Ready, "the ingest read segment-first-element-tickets");
    }

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    static string Identify(string messageId, DateTimeOffset? at, string field = "receivedAt") =>
        $$"""{ "type": "identify", "messageId": "{{messageId}}", "userId": "u-1", "traits": {"email": "a@example.com"}{{(at is { } t ? $", \"{field}\": \"{t:O}\"" : "")}} }""";

    static string Track(string messageId, DateTimeOffset? at) =>
        $$"""{"type":"track","messageId":"{{messageId}}","userId":"u-1","event":"User Registered"{{(at is { } t ? $",\"timestamp\":\"{t:O}\"" : "")}}}""";

    async Task<HttpResponseMessage> PostAsync(Uri ingest, string first, params string[] rest)
    {
        using var client = new HttpClient { BaseAddress = ingest, Timeout = TimeSpan.FromSeconds(30) };
        // Spaces and a newline around the elements, as a serializer may write them: the signature is over the first
        // element's bytes as they appear.
        return await client.SendAsync(Webhook($"[ {string.Join(" ,\n  ", [first, .. rest])} ]", Signature(Secret, first)));
    }

    [Fact]
    public async Task Should_accept_a_fresh_array_signed_over_its_first_element_bytes()
    {
        using var response = await PostAsync(_stack.IngestUrl, Identify("fresh-1", DateTimeOffset.UtcNow), Track("fresh-2", DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("receivedAt", 5 * 60)]
    [InlineData("sentAt", 5 * 60)]
    [InlineData("timestamp", 5 * 60)]
    [InlineData("receivedAt", 30)]
    public async Task Should_accept_a_first_element_segment_received_hours_ago(string field, int minutesAgo)
    {
        using var response = await PostAsync(_stack.IngestUrl, Identify("late-" + field, DateTimeOffset.UtcNow.AddMinutes(-minutesAgo), field),
            Track("late-2-" + field, null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("older than the window")]
    [InlineData("undated")]
    public async Task Should_answer_401_naming_the_token_when_the_first_element_is_older_than_the_window_or_undated(string which)
    {
        var first = Identify("stale-1", which == "undated" ? null : DateTimeOffset.UtcNow.AddHours(-7));

        using var response = await PostAsync(_stack.IngestUrl, first, Track("stale-2", DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Segment:WebhookTokens", (string?)(await BodyAsync(response))["detail"], StringComparison.Ordinal);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    /// <summary>Posts a first-element-signed array and answers how many events the 200 says were accepted.</summary>
    async Task<int> AcceptedAsync(Uri ingest, string first, params string[] rest)
    {
        using var response = await PostAsync(ingest, first, rest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (int)(await BodyAsync(response))["accepted"]!;
    }

    [Fact]
    public async Task Should_publish_nothing_from_a_replayed_body_with_an_event_appended()
    {
        var first = Identify("replayed-1", DateTimeOffset.UtcNow);
        Assert.Equal(2, await AcceptedAsync(_stack.IngestUrl, first, Track("replayed-2", DateTimeOffset.UtcNow)));

        // The capture, replayed with one event of the attacker's appended.
        Assert.Equal(0, await AcceptedAsync(_stack.IngestUrl, first, Track("replayed-2", DateTimeOffset.UtcNow), Track("appended-3", DateTimeOffset.UtcNow)));

        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_publish_nothing_from_a_whole_body_signature_reused_as_a_first_element_signature()
    {
        // Segment's single-mode delivery of one identify, signed over its whole body.
        var captured = Identify("captured-single", DateTimeOffset.UtcNow);
        using (var client = new HttpClient { BaseAddress = _stack.IngestUrl, Timeout = TimeSpan.FromSeconds(30) })
        using (var single = await client.SendAsync(Webhook(captured, Signature(Secret, captured))))
            Assert.Equal(1, (int)(await BodyAsync(single))["accepted"]!);

        // Its signature, replayed as the first-element signature of an array with the attacker's identify after it.
        var injected = """{"type":"identify","messageId":"injected","userId":"attacker-injected","traits":{"email":"attacker@evil.example"}}""";
        Assert.Equal(0, await AcceptedAsync(_stack.IngestUrl, captured, injected));

        var queued = await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, CallQueues.Identify);
        Assert.DoesNotContain(queued, m => m.Contains("attacker-injected", StringComparison.Ordinal));
        Assert.Single(queued);
    }

    [Fact]
    public async Task Should_publish_nothing_from_a_first_element_signature_reused_as_a_whole_body_signature()
    {
        var first = Identify("captured-first", DateTimeOffset.UtcNow);
        Assert.Equal(2, await AcceptedAsync(_stack.IngestUrl, first, Track("captured-second", DateTimeOffset.UtcNow)));

        // The first element alone, with the batch's signature: it verifies over the whole body.
        using var client = new HttpClient { BaseAddress = _stack.IngestUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var alone = await client.SendAsync(Webhook(first, Signature(Secret, first)));

        Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
        Assert.Equal(0, (int)(await BodyAsync(alone))["accepted"]!);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
    }

    [Fact]
    public async Task Should_accept_a_whole_body_retry_with_the_same_bytes()
    {
        var single = Identify("retried-single", DateTimeOffset.UtcNow);
        using var client = new HttpClient { BaseAddress = _stack.IngestUrl, Timeout = TimeSpan.FromSeconds(30) };
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await client.SendAsync(Webhook(single, Signature(Secret, single)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, (int)(await BodyAsync(response))["accepted"]!);
        }
    }

    [Fact]
    public async Task Should_publish_nothing_from_a_replay_after_the_ingest_restarts_or_on_another_replica()
    {
        var first = Identify("restart-1", DateTimeOffset.UtcNow);
        Assert.Equal(2, await AcceptedAsync(_stack.IngestUrl, first, Track("restart-2", DateTimeOffset.UtcNow)));

        // A second replica, started after the original was accepted (as a restarted one is), and the first one still running.
        var (replica, replicaUrl) = await LoopbackHost.StartAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest", _stack.Settings);
        try
        {
            await WaitUntilReadyAsync(replica);
            Assert.Equal(0, await AcceptedAsync(replicaUrl, first, Track("restart-2", DateTimeOffset.UtcNow), Track("restart-appended", DateTimeOffset.UtcNow)));

            // And the other way round: a body first accepted by the replica is a repeat on the first ingest.
            var other = Identify("restart-3", DateTimeOffset.UtcNow);
            Assert.Equal(1, await AcceptedAsync(replicaUrl, other));
            var tickets = _stack.IngestApp!.Services.GetRequiredService<FirstElementTickets>();
            await SegmentNovuStack.WaitUntilAsync(() => tickets.IsAccepted(Signature(Secret, other)), "the first ingest read the replica's ticket");
            Assert.Equal(0, await AcceptedAsync(_stack.IngestUrl, other, Track("restart-appended-2", DateTimeOffset.UtcNow)));
        }
        finally
        {
            await replica.StopAsync();
            await replica.DisposeAsync();
        }
        Assert.Equal(2u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }
}
