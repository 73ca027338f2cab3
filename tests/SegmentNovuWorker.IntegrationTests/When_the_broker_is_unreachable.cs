using System.Net;
using System.Text;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests;

public sealed class When_the_broker_is_unreachable
{
    [Fact]
    public async Task Should_answer_503_with_retry_after_within_segments_budget()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var (app, url) = await LoopbackHost.StartAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest", new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Ingest:PublishTimeout"] = "00:00:02",
            ["Ingest:AllowUnauthenticated"] = "true",
            ["Logging:LogLevel:Default"] = "None",
        });
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = url };
        var started = DateTime.UtcNow;

        using var response = await client.PostAsync("/webhooks/segment",
            new StringContent(Samples.Read("identify"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "Segment gives a webhook about 5 s");
    }
}
