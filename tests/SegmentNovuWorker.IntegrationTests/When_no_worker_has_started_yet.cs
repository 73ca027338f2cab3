using System.Net;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests;

public sealed class When_no_worker_has_started_yet
{
    [Fact]
    public async Task Should_keep_accepted_events_in_their_queue_until_a_worker_starts()
    {
        await using var stack = await SegmentNovuStack.StartAsync(startWorker: false);
        using var client = stack.CreateIngestClient();

        using var response = await client.PostAsync("/webhooks/segment",
            new StringContent(Samples.Read("track"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, CallQueues.Track));

        await stack.StartWorkerAsync();
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the waiting event was delivered");
    }
}
