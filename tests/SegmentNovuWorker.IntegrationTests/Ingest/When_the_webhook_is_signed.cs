using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>With <c>Segment:SharedSecrets</c> set, only requests Segment signed, every byte of them, are accepted.</summary>
public sealed class When_the_webhook_is_signed : IAsyncLifetime
{
    const string Current = "current-secret";
    const string Previous = "previous-secret";
    SegmentNovuStack _stack = null!;

    // No worker: whatever is accepted stays in its queue, countable.
    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:SharedSecrets:0"] = Current,
        ["Segment:SharedSecrets:1"] = Previous,
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    [Fact]
    public async Task Should_accept_a_body_signed_with_the_current_secret()
    {
        using var client = _stack.CreateIngestClient();
        var body = Samples.Read("identify");

        using var response = await client.SendAsync(Webhook(body, Signature(Current, body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
    }

    [Fact]
    public async Task Should_accept_a_body_signed_with_a_previous_secret_during_rotation()
    {
        using var client = _stack.CreateIngestClient();
        var body = Samples.Read("track");

        using var response = await client.SendAsync(Webhook(body, Signature(Previous, body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_answer_401_to_a_captured_body_with_more_events_after_it()
    {
        using var client = _stack.CreateIngestClient();
        // B was signed by Segment and seen on the wire; an attacker appends an event of their own and reuses B's signature.
        var captured = Samples.Read("identify").Trim();
        var forged = $$"""[{{captured}},{"type":"delete","messageId":"evil-1","userId":"97980cfea0067"}]""";

        using var response = await client.SendAsync(Webhook(forged, Signature(Current, captured)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(0u, await QueuedAsync(CallQueues.Delete));
    }

    [Fact]
    public async Task Should_accept_an_array_signed_over_its_whole_body()
    {
        using var client = _stack.CreateIngestClient();
        var body = $"[{Samples.Read("identify").Trim()},{Samples.Read("track").Trim()}]";

        using var response = await client.SendAsync(Webhook(body, Signature(Current, body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("missing")]
    [InlineData("malformed")]
    [InlineData("second-element")]
    public async Task Should_answer_401_and_publish_nothing_when_the_signature_does_not_match(string signature)
    {
        using var client = _stack.CreateIngestClient();
        var body = $"[{Samples.Read("identify").Trim()},{Samples.Read("track").Trim()}]";
        var header = signature switch
        {
            "wrong" => Signature("not-the-secret", body),
            "malformed" => "sha1=zz",
            "second-element" => Signature(Current, Samples.Read("track").Trim()),
            _ => null,
        };

        using var response = await client.SendAsync(Webhook(body, header));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }
}
