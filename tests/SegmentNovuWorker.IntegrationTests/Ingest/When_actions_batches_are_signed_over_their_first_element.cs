using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// <c>Segment:AcceptFirstElementSignature=true</c> (Segment's Actions batch mode signs only the array's first element):
/// accepted only while every element is fresh, and a messageId seen within the window is not published again.
/// </summary>
public sealed class When_actions_batches_are_signed_over_their_first_element : IAsyncLifetime
{
    const string Secret = "actions-secret";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:SharedSecret"] = Secret,
        ["Segment:AcceptFirstElementSignature"] = "true",
        ["Segment:FirstElementSignatureWindow"] = "00:05:00",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    static string Identify(string messageId, DateTimeOffset? at) =>
        $$"""{ "type": "identify", "messageId": "{{messageId}}", "userId": "u-1", "traits": {"email": "a@example.com"}{{(at is { } t ? $", \"timestamp\": \"{t:O}\"" : "")}} }""";

    static string Track(string messageId, DateTimeOffset? at) =>
        $$"""{"type":"track","messageId":"{{messageId}}","userId":"u-1","event":"User Registered"{{(at is { } t ? $",\"timestamp\":\"{t:O}\"" : "")}}}""";

    [Fact]
    public async Task Should_accept_a_fresh_array_signed_over_its_first_element_bytes()
    {
        using var client = _stack.CreateIngestClient();
        var first = Identify("fresh-1", DateTimeOffset.UtcNow);
        var body = $"[ {first} ,\n  {Track("fresh-2", DateTimeOffset.UtcNow)} ]";

        using var response = await client.SendAsync(Webhook(body, Signature(Secret, first)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("first-stale")]
    [InlineData("later-stale")]
    [InlineData("later-undated")]
    public async Task Should_answer_401_when_an_element_is_older_than_the_window_or_undated(string which)
    {
        using var client = _stack.CreateIngestClient();
        var old = DateTimeOffset.UtcNow.AddHours(-1);
        var first = Identify("stale-1", which == "first-stale" ? old : DateTimeOffset.UtcNow);
        var second = which switch
        {
            "later-stale" => Track("stale-2", old),
            "later-undated" => Track("stale-2", null),
            _ => Track("stale-2", DateTimeOffset.UtcNow),
        };

        using var response = await client.SendAsync(Webhook($"[{first},{second}]", Signature(Secret, first)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_not_publish_a_replayed_body_again_within_the_window()
    {
        using var client = _stack.CreateIngestClient();
        var first = Identify("replayed-1", DateTimeOffset.UtcNow);
        var body = $"[{first},{Track("replayed-2", DateTimeOffset.UtcNow)}]";
        using (var original = await client.SendAsync(Webhook(body, Signature(Secret, first))))
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);

        // The capture, replayed with one event of the attacker's appended.
        var replay = $"[{first},{Track("replayed-2", DateTimeOffset.UtcNow)},{Track("appended-3", DateTimeOffset.UtcNow)}]";
        using var response = await client.SendAsync(Webhook(replay, Signature(Secret, first)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (int)(await BodyAsync(response))["accepted"]!);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(2u, await QueuedAsync(CallQueues.Track));
    }
}
