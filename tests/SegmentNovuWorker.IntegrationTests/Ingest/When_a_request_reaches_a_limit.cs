using System.Net;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Parsing;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>Segment's limits, each at its value (accepted) and one past it (413, nothing published); bad input gets a clear answer.</summary>
public sealed class When_a_request_reaches_a_limit : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        // A 2500-event batch on a busy CI machine: the limit is under test here, not the latency.
        ["Ingest:PublishTimeout"] = "00:00:30",
        ["Ingest:Webhook:MaxRequestBytes"] = WebhookMaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, startWorker: false);

    /// <summary>The webhook's byte limit is configurable; this one is small enough to test at its edge.</summary>
    const int WebhookMaxRequestBytes = 600 * 1024;

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    /// <summary>A valid track event of exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    static string Track(int bytes)
    {
        var empty = """{"type":"track","userId":"u-1","event":"User Registered","properties":{"pad":""}}""";
        return empty.Replace("\"pad\":\"\"", $"\"pad\":\"{new string('x', bytes - empty.Length)}\"", StringComparison.Ordinal);
    }

    /// <summary>A /v1/batch body of exactly <paramref name="bytes"/> bytes, of track events under the per-event limit.</summary>
    static (string Body, int Events) Batch(int bytes)
    {
        const int eventBytes = 30_000;
        var count = (bytes + eventBytes - 1) / eventBytes;
        var overhead = """{"batch":[]}""".Length + (count - 1);
        var last = bytes - overhead - (count - 1) * eventBytes;
        var events = Enumerable.Repeat(Track(eventBytes), count - 1).Append(Track(last));
        return ($$"""{"batch":[{{string.Join(",", events)}}]}""", count);
    }

    static string ManyEvents(int count) =>
        $$"""{"batch":[{{string.Join(",", Enumerable.Range(0, count).Select(i => $$"""{"type":"track","messageId":"m-{{i}}","userId":"u","event":"E"}"""))}}]}""";

    [Theory]
    [InlineData("/webhooks/segment", SegmentLimits.MaxEventBytes, HttpStatusCode.OK)]
    [InlineData("/webhooks/segment", SegmentLimits.MaxEventBytes + 1, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("/v1/track", SegmentLimits.MaxEventBytes, HttpStatusCode.OK)]
    [InlineData("/v1/track", SegmentLimits.MaxEventBytes + 1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Should_hold_one_event_to_32_KB(string path, int bytes, HttpStatusCode expected)
    {
        using var client = _stack.CreateIngestClient();
        var body = Track(bytes);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(body));

        using var response = await client.SendAsync(Tracking(path, body, "any-key"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1u : 0u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData(SegmentLimits.MaxRequestBytes, HttpStatusCode.OK)]
    [InlineData(SegmentLimits.MaxRequestBytes + 1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Should_hold_one_batch_request_to_500_KB(int bytes, HttpStatusCode expected)
    {
        using var client = _stack.CreateIngestClient();
        var (body, events) = Batch(bytes);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(body));

        using var response = await client.SendAsync(Tracking("/v1/batch", body, "any-key"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? (uint)events : 0u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_refuse_a_webhook_batch_over_its_configured_limit_while_reading_it()
    {
        using var client = _stack.CreateIngestClient();
        var (batch, _) = Batch(WebhookMaxRequestBytes + 1 + """{"batch":}""".Length);
        var body = batch["""{"batch":""".Length..^1]; // the bare array, as the Actions webhook sends it
        Assert.Equal(WebhookMaxRequestBytes + 1, Encoding.UTF8.GetByteCount(body));

        using var response = await client.PostAsync("/webhooks/segment", Json(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData(SegmentLimits.MaxBatchEvents, HttpStatusCode.OK)]
    [InlineData(SegmentLimits.MaxBatchEvents + 1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Should_hold_one_batch_to_2500_events(int events, HttpStatusCode expected)
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/batch", ManyEvents(events), "any-key"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? (uint)events : 0u, await QueuedAsync(CallQueues.Track));
    }

    [Fact]
    public async Task Should_keep_an_oversized_event_of_a_batch_aside_and_accept_the_rest()
    {
        using var client = _stack.CreateIngestClient();
        var body = $"[{Track(SegmentLimits.MaxEventBytes + 1)},{Track(100)}]";

        using var response = await client.PostAsync("/webhooks/segment", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":1,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
        Assert.Equal(1u, await QueuedAsync(SegmentQueues.Rejected));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/xml")]
    [InlineData(null)]
    public async Task Should_answer_415_to_a_body_that_is_not_json(string? contentType)
    {
        using var client = _stack.CreateIngestClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Samples.Read("track")));
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/webhooks/segment", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("text/plain")]
    [InlineData("application/vnd.segment+json")]
    public async Task Should_read_json_sent_under_the_content_types_segments_senders_use(string contentType)
    {
        using var client = _stack.CreateIngestClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Samples.Read("track")));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/webhooks/segment", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("""{"type":"identify", "userId": """, "not valid JSON")]
    [InlineData("""42""", "must be a Segment event object")]
    [InlineData("""[]""", "The batch is empty")]
    [InlineData("""{"type":"identify","traits":{}}""", "neither a \"userId\" nor an \"anonymousId\"")]
    public async Task Should_answer_400_problem_json_saying_why(string body, string reason)
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.PostAsync("/webhooks/segment", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (string)(await BodyAsync(response))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Identify));
        Assert.Equal(0u, await QueuedAsync(SegmentQueues.Rejected));
    }
}
