using System.Net;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Parsing;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Nothing a client sends gets a 5xx: invalid UTF-8 is a 400 (or, in a batch, that event's rejection), and the parser's
/// nesting limit is what the pipeline carries, so every accepted event is published.
/// </summary>
public sealed class When_a_client_sends_text_or_nesting_the_pipeline_cannot_carry : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    /// <summary>UTF-8 bytes with one invalid sequence (a lone lead byte 0xD0) spliced in where <c>@</c> stands.</summary>
    static ByteArrayContent WithInvalidUtf8(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = Array.IndexOf(bytes, (byte)'@');
        bytes[at] = 0xD0;
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return content;
    }

    /// <summary>A track whose properties nest until the whole body is <paramref name="depth"/> levels deep.</summary>
    static string Nested(int depth) =>
        """{"type":"track","userId":"deep-user","event":"User Registered","properties":""" +
        string.Concat(Enumerable.Repeat("""{"a":""", depth - 1)) + "1" + new string('}', depth - 1) + "}";

    [Theory]
    [InlineData("/v1/identify", """{"type":"iden@","userId":"u-1"}""")]
    [InlineData("/v1/track", """{"type":"track","userId":"u-1","event":"E","properties":{"name":"J@"}}""")]
    [InlineData("/webhooks/segment", """{"type":"track","userId":"u-@","event":"E"}""")]
    public async Task Should_answer_400_to_an_event_that_is_not_utf8(string path, string json)
    {
        using var client = _stack.CreateIngestClient();
        using var request = Tracking(path, "{}", "any-key");
        request.Content = WithInvalidUtf8(json);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", (string)(await BodyAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_set_aside_a_batch_event_that_is_not_utf8_and_accept_the_rest()
    {
        using var client = _stack.CreateIngestClient();
        var batch = """[{"type":"track","userId":"u-1","event":"E","messageId":"fine"},{"type":"track","userId":"u-2","event":"E@"}]""";

        using var response = await client.PostAsync("/webhooks/segment", WithInvalidUtf8(batch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":1,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
        var rejected = Assert.Single(await QueuedMessage.PeekAllAsync(_stack.RabbitMq, SegmentQueues.Rejected));
        Assert.Contains("UTF-8", rejected.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/webhooks/segment")]
    [InlineData("/v1/track")]
    public async Task Should_publish_the_deepest_event_it_accepts_and_refuse_one_level_more(string path)
    {
        using var client = _stack.CreateIngestClient();

        using var deepest = await client.SendAsync(Tracking(path, Nested(SegmentLimits.MaxDepth), "any-key"));
        using var deeper = await client.SendAsync(Tracking(path, Nested(SegmentLimits.MaxDepth + 1), "any-key"));
        using var asReported = await client.SendAsync(Tracking(path, Nested(63), "any-key"));

        Assert.Equal(HttpStatusCode.OK, deepest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deeper.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, asReported.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }
}
