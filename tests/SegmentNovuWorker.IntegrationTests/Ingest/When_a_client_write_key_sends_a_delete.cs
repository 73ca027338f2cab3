using System.Net;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// <c>Segment:ClientWriteKeys</c> are browser and mobile keys, public by design: whoever reads one from a web page
/// must not be able to delete a Novu subscriber with it. Server keys (<c>Segment:WriteKeys</c>) still can.
/// </summary>
public sealed class When_a_client_write_key_sends_a_delete : IAsyncLifetime
{
    const string ServerKey = "server-key-7c1e";
    const string BrowserKey = "browser-key-public-2b9d";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:WriteKeys:0"] = ServerKey,
        ["Segment:ClientWriteKeys:0"] = BrowserKey,
        ["Ingest:AllowUnauthenticated"] = "false",
        ["Segment:SharedSecret"] = "webhook-secret-not-used-here",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task IdentifyAsync(HttpClient client, string userId)
    {
        using var identify = await client.SendAsync(Tracking("/v1/identify",
            $$$"""{"userId":"{{{userId}}}","messageId":"identify-{{{userId}}}","traits":{"email":"{{{userId}}}@example.com"}}""", ServerKey));
        Assert.Equal(HttpStatusCode.OK, identify.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Subscribers.ContainsKey(userId), $"Novu has subscriber {userId}");
    }

    static string Batch(params string[] events) => $$"""{"batch":[{{string.Join(",", events)}}]}""";

    [Fact]
    public async Task Should_delete_no_one_and_keep_the_delete_in_segment_rejected_with_its_reason()
    {
        using var client = _stack.CreateIngestClient();
        await IdentifyAsync(client, "victim-1");

        using var response = await client.SendAsync(Tracking("/v1/batch", Batch(
            """{"type":"delete","messageId":"evil-delete-1","userId":"victim-1"}""",
            """{"type":"track","messageId":"browser-track-1","userId":"victim-1","event":"User Registered"}"""), BrowserKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await BodyAsync(response);
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(1, (int)answer["rejected"]!);
        // The track of the same batch went through the worker: had the delete been published beside it, it would have too.
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Any(n => n.TransactionId == "browser-track-1"), "the batch's track reached Novu");
        Assert.True(_stack.Novu.Subscribers.ContainsKey("victim-1"));
        Assert.DoesNotContain(_stack.Novu.Requests, r => r.Method == "DELETE");
        var rejected = Assert.Single(Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, SegmentQueues.Rejected)));
        Assert.Equal("evil-delete-1", (string)rejected["messageId"]!);
        Assert.Contains("client write key", (string)rejected["reason"]!);
    }

    [Fact]
    public async Task Should_refuse_the_delete_when_the_client_key_is_in_the_body()
    {
        using var client = _stack.CreateIngestClient();
        await IdentifyAsync(client, "victim-2");

        // analytics.js's beacon puts the key in the body: the same key, the same rights.
        using var response = await client.SendAsync(Tracking("/v1/batch",
            $$"""{"writeKey":"{{BrowserKey}}","batch":[{"type":"delete","messageId":"evil-delete-2","userId":"victim-2"}]}""", null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (int)(await BodyAsync(response))["accepted"]!);
        await Task.Delay(500);
        Assert.True(_stack.Novu.Subscribers.ContainsKey("victim-2"));
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Delete) ?? 0);
    }

    [Fact]
    public async Task Should_still_let_a_server_key_delete()
    {
        using var client = _stack.CreateIngestClient();
        await IdentifyAsync(client, "leaver-1");

        using var response = await client.SendAsync(Tracking("/v1/batch",
            Batch("""{"type":"delete","messageId":"gdpr-delete-1","userId":"leaver-1"}"""), ServerKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => !_stack.Novu.Subscribers.ContainsKey("leaver-1"), "the server key's delete removed the subscriber");
    }
}
