using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Parsing;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Every field a sender controls is bounded before anything is done with it, and an event the pipeline cannot carry (an
/// id too long for a message header or for the stack, text the serializer refuses) is set aside alone with its reason:
/// never a crashed ingest, a lost broker connection, or a request answered 503 on every retry.
/// </summary>
public sealed class When_an_event_carries_what_the_pipeline_cannot_carry : IAsyncLifetime
{
    const string ClientKey = "public-client-write-key";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:ClientWriteKeys:0"] = ClientKey,
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task<uint> QueuedAsync(string queue) => await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) ?? 0;

    static string Track(string messageId, string userId = "u-1", string extra = "") =>
        $$"""{"type":"track","messageId":"{{messageId}}","userId":"{{userId}}","event":"User Registered"{{extra}}}""";

    async Task<string> RejectedReasonAsync()
    {
        var rejected = Assert.Single(await QueuedMessage.PeekAllAsync(_stack.RabbitMq, SegmentQueues.Rejected));
        return rejected.Body;
    }

    [Fact]
    public async Task Should_set_aside_an_event_whose_messageId_is_bigger_than_a_thread_stack_and_keep_answering()
    {
        // The images run on Alpine, whose threads have 1.5 MB stacks.
        var (ingest, url) = await IngestProcess.StartAsync(_stack.Settings, new Dictionary<string, string?> { ["DOTNET_Thread_DefaultStackSize"] = "180000" });
        using (ingest)
        {
            using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            var huge = new string('m', 2_000_000);

            using var response = await client.SendAsync(Webhook($"[{Track("fine-1")},{Track(huge)}]"));
            using var next = await client.SendAsync(Webhook(Track("fine-2")));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            JsonAssert.Equivalent("""{"success":true,"accepted":1,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.Equal(2u, await QueuedAsync(CallQueues.Track));
            Assert.Contains("larger than", await RejectedReasonAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Should_set_aside_an_event_whose_messageId_would_not_fit_a_message_header_and_keep_the_connection()
    {
        using var client = _stack.CreateIngestClient();
        var batch = $$"""{"batch":[{{Track("fine-1")}},{{Track(new string('m', 505_000))}}]}""";

        using var response = await client.SendAsync(Tracking("/v1/batch", batch, ClientKey));
        using var next = await client.SendAsync(Tracking("/v1/track", Track("fine-2"), ClientKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":1,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("messageId", SegmentLimits.MaxMessageIdLength)]
    [InlineData("userId", SegmentLimits.MaxFieldLength)]
    [InlineData("anonymousId", SegmentLimits.MaxFieldLength)]
    [InlineData("event", SegmentLimits.MaxFieldLength)]
    public async Task Should_set_aside_an_event_with_a_field_over_its_bound_and_name_it(string field, int bound)
    {
        using var client = _stack.CreateIngestClient();
        var tooLong = $$"""{"type":"track","messageId":"m-2","userId":"u-2","event":"E","{{field}}":"{{new string('x', bound + 1)}}"}""";
        var atBound = $$"""{"type":"track","messageId":"m-3","userId":"u-3","event":"E","{{field}}":"{{new string('y', bound)}}"}""";

        using var response = await client.SendAsync(Tracking("/v1/batch", $$"""{"batch":[{{Track("m-1")}},{{tooLong}},{{atBound}}]}""", ClientKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":2,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        Assert.Contains($"is {bound + 1} characters long", await RejectedReasonAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_400_to_a_single_event_whose_messageId_is_over_segments_limit()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/track", Track(new string('m', SegmentLimits.MaxMessageIdLength + 1)), ClientKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("messageId", (string)(await BodyAsync(response))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(0u, await QueuedAsync(CallQueues.Track));
    }

    [Theory]
    [InlineData("/webhooks/segment")]
    [InlineData("/v1/batch")]
    public async Task Should_set_aside_an_event_the_serializer_refuses_and_publish_the_users_later_events(string path)
    {
        using var client = _stack.CreateIngestClient();
        var events = $$"""{{Track("before", extra: ",\"properties\":{\"p\":\"fine\"}")}},{{Track("poison", extra: ",\"properties\":{\"p\":\"\\ud800\"}")}},{{Track("after")}}""";
        var body = path == "/v1/batch" ? $$"""{"batch":[{{events}}]}""" : $"[{events}]";

        using var response = await client.SendAsync(Tracking(path, body, ClientKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":2,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        var queued = Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, CallQueues.Track));
        Assert.Equal(["before", "after"], queued.Select(m => (string)m["messageId"]!));
        Assert.Contains("not valid UTF-8 or Unicode", await RejectedReasonAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_400_to_a_single_event_the_serializer_refuses()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Webhook(Track("poison", extra: ",\"properties\":{\"p\":\"\\ud800\"}")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8 or Unicode", (string)(await BodyAsync(response))["detail"]!, StringComparison.Ordinal);
    }
}
