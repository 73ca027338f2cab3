using System.Diagnostics;
using System.Net;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// The broker the ingest was connected to goes away. The shared test broker keeps running for the other tests: this
/// test deletes its own virtual host, which closes the ingest's connection and refuses its reconnection, as a broker
/// that went down would.
/// </summary>
public sealed class When_the_broker_goes_away_after_the_ingest_connected
{
    [Fact]
    public async Task Should_answer_503_with_retry_after_within_segments_budget_and_never_2xx()
    {
        await using var stack = await SegmentNovuStack.StartAsync(startWorker: false);
        using var client = stack.CreateIngestClient();
        using (var connected = await client.PostAsync("/webhooks/segment", Json(Samples.Read("identify"))))
            Assert.Equal(HttpStatusCode.OK, connected.StatusCode);

        await stack.Broker.DeleteVirtualHostAsync(stack.RabbitMq);
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/webhooks/segment", Json(Samples.Read("track")));
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Segment gives a webhook about 5 s; the answer took {clock.Elapsed}");

        // A batch through the tracking API is refused the same way: nothing is acknowledged that is not durable.
        using var batch = await client.SendAsync(Tracking("/v1/batch", """{"batch":[{"type":"track","userId":"u","event":"E"}]}""", "k"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, batch.StatusCode);
    }
}
