using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>The Actions webhook can be configured to send with PUT or PATCH instead of POST.</summary>
public sealed class When_an_actions_webhook_uses_put_or_patch
{
    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task Should_accept_the_event_as_from_a_post(string method)
    {
        await using var stack = await SegmentNovuStack.StartAsync(startWorker: false);
        using var client = stack.CreateIngestClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/webhooks/segment")
        {
            Content = Json(Samples.Read("track")),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, CallQueues.Track));
    }
}
