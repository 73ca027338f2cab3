using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary><c>Ingest:RateLimit</c>: per source (write key, else client IP), 429 with <c>Retry-After</c> over the limit.</summary>
public sealed class When_a_source_sends_too_many_requests : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Ingest:RateLimit:PermitLimit"] = "2",
        ["Ingest:RateLimit:Window"] = "00:01:00",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_answer_429_with_retry_after_past_the_limit_and_publish_nothing_of_it()
    {
        using var client = _stack.CreateIngestClient();
        var body = """{"userId":"u-1","event":"User Registered"}""";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.SendAsync(Tracking("/v1/track", body, "busy-source"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }

    [Fact]
    public async Task Should_count_each_write_key_on_its_own()
    {
        using var client = _stack.CreateIngestClient();
        var body = """{"userId":"u-1","event":"User Registered"}""";
        for (var i = 0; i < 2; i++)
        {
            using var busy = await client.SendAsync(Tracking("/v1/track", body, "source-a"));
            Assert.Equal(HttpStatusCode.OK, busy.StatusCode);
        }

        using var other = await client.SendAsync(Tracking("/v1/track", body, "source-b"));

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
