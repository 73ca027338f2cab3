using System.Net;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>Segment's tracking-API shape: <c>/v1/{call}</c> and <c>/v1/batch</c>, authenticated by write key.</summary>
public sealed class When_posting_to_the_tracking_api : IAsyncLifetime
{
    const string WriteKey = "wk-test-1";
    SegmentNovuStack _stack = null!;

    // No worker: what is accepted stays in its queue, where the test counts and reads it.
    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:WriteKeys:0"] = WriteKey,
        ["Segment:WriteKeys:1"] = "wk-test-2",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    [Theory]
    [InlineData("identify", """{"userId":"u-1","traits":{"email":"a@example.com"}}""", CallQueues.Identify)]
    [InlineData("track", """{"userId":"u-1","event":"User Registered"}""", CallQueues.Track)]
    [InlineData("page", """{"anonymousId":"a-1","name":"Pricing"}""", CallQueues.Page)]
    [InlineData("screen", """{"userId":"u-1","name":"Home"}""", CallQueues.Screen)]
    [InlineData("group", """{"userId":"u-1","groupId":"g-1"}""", CallQueues.Group)]
    [InlineData("alias", """{"userId":"u-1","previousId":"a-1"}""", CallQueues.Alias)]
    public async Task Should_answer_like_segment_and_queue_each_call(string call, string body, string queue)
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/" + call, body, WriteKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)(await BodyAsync(response))["success"]!);
        Assert.Equal(1u, await QueuedAsync(queue));
    }

    [Fact]
    public async Task Should_take_the_write_key_from_the_body()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/track",
            """{"writeKey":"wk-test-2","userId":"u-1","event":"User Registered"}""", writeKey: null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("wrong-key", null)]
    [InlineData(null, null)]
    [InlineData(null, "wrong-key")]
    public async Task Should_answer_401_and_publish_nothing_without_a_configured_write_key(string? header, string? inBody)
    {
        using var client = _stack.CreateIngestClient();
        var body = inBody is null
            ? """{"userId":"u-1","event":"User Registered"}"""
            : $$"""{"writeKey":"{{inBody}}","userId":"u-1","event":"User Registered"}""";

        using var response = await client.SendAsync(Tracking("/v1/track", body, header));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_refuse_an_event_whose_type_is_not_the_paths()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/track", """{"type":"identify","userId":"u-1"}""", WriteKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
    }

    [Fact]
    public async Task Should_publish_the_valid_events_of_a_mixed_batch_and_keep_the_invalid_ones_with_their_reason()
    {
        using var client = _stack.CreateIngestClient();
        var batch = """
            {
              "batch": [
                {"type":"identify","messageId":"ok-1","userId":"u-1"},
                {"messageId":"no-type","userId":"u-1"},
                {"type":"track","messageId":"no-ids","event":"User Registered"},
                {"type":"launch","messageId":"unknown-type","userId":"u-1"},
                {"type":"track","messageId":"no-event","userId":"u-1"},
                {"type":"track","messageId":"ok-2","userId":"u-1","event":"User Registered"}
              ],
              "sentAt": "2026-11-28T10:00:00.000Z"
            }
            """;

        using var response = await client.SendAsync(Tracking("/v1/batch", batch, WriteKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":2,"rejected":4,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));

        var rejected = Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, SegmentQueues.Rejected));
        Assert.Equal(
            [
                (1, "no-type", "The event has no \"type\""),
                (2, "no-ids", "neither a \"userId\" nor an \"anonymousId\""),
                (3, "unknown-type", "Unsupported event type \"launch\""),
                (4, "no-event", "needs a non-empty \"event\""),
            ],
            rejected.Select(r => ((int)r["index"]!, (string)r["messageId"]!, Matching((string)r["reason"]!)))
                .OrderBy(r => r.Item1));
        Assert.All(rejected, r =>
        {
            Assert.Equal("tracking-api", (string)r["source"]!);
            Assert.Equal((string)r["messageId"]!, (string)JsonNode.Parse((string)r["rawEvent"]!)!["messageId"]!);
            Assert.NotNull(r["receivedAt"]);
        });
    }

    /// <summary>The part of a reason the test pins down (the rest is wording).</summary>
    static string Matching(string reason) =>
        new[] { "The event has no \"type\"", "neither a \"userId\" nor an \"anonymousId\"", "Unsupported event type \"launch\"", "needs a non-empty \"event\"" }
            .FirstOrDefault(reason.Contains) ?? reason;

    [Fact]
    public async Task Should_apply_the_batchs_context_and_integrations_to_events_without_their_own()
    {
        using var client = _stack.CreateIngestClient();
        var batch = """
            {
              "batch": [
                {"type":"identify","messageId":"inherits","userId":"u-1","integrations":{}},
                {"type":"identify","messageId":"own","userId":"u-2","context":{"locale":"fr-FR"},"integrations":{}},
                {"type":"track","messageId":"opted-out","userId":"u-3","event":"User Registered"}
              ],
              "context": {"locale":"nl-NL"},
              "integrations": {"Novu": false}
            }
            """;

        using var response = await client.SendAsync(Tracking("/v1/batch", batch, WriteKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":2,"rejected":0,"optedOut":1}""", await response.Content.ReadAsStringAsync());
        var identifies = Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, CallQueues.Identify));
        Assert.Equal([("inherits", "nl-NL"), ("own", "fr-FR")],
            identifies.Select(i => ((string)i["messageId"]!, (string)i["context"]!["locale"]!)).Order());
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }
}
