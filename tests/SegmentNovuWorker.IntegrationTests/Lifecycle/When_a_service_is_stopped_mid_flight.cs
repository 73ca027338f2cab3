using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Lifecycle;

/// <summary>
/// SIGTERM, as the host sees it (<c>StopAsync</c>, what the .NET host does on SIGTERM): the API finishes the request it
/// is publishing, the worker finishes or returns what it has in flight. Nothing lost, nothing half-done.
/// </summary>
public sealed class When_a_service_is_stopped_mid_flight
{
    [Fact]
    public async Task Should_finish_the_in_flight_publishes_before_the_api_stops()
    {
        await using var stack = await SegmentNovuStack.StartAsync(startWorker: false);
        const int events = ActionsBatch.LargestBatch; // seconds of publishing, so the stop lands in the middle
        using var client = stack.CreateIngestClient();
        var firstQueue = CallQueues.PartitionQueueOf((string)ActionsBatch.Track("api-stop", 0)["userId"]!);

        var post = client.PostAsync("/webhooks/segment", Batch("api-stop", events));
        await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, firstQueue).Result is { Messages: > 0 },
            "the first events reached their queue");
        var inFlight = !post.IsCompleted;
        var stop = stack.IngestApp!.StopAsync();

        using var response = await post;
        await stop;
        Assert.True(inFlight, "the request was answered before the stop: nothing was in flight");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(events, (await response.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!.GetValue<int>());
        Assert.Equal(events, await Queued(stack));
        // Stopped: no new request is taken.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync("/webhooks/segment", Batch("after-stop", 1)));
    }

    [Fact]
    public async Task Should_finish_or_return_every_in_flight_delivery_when_the_worker_stops()
    {
        // A slow Novu: each trigger takes a second, so the worker has 16 in flight in each partition (Worker:Concurrency)
        // when it stops, and most of the 1000 events still wait in their queues.
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?> { ["StandIn:Delays:Triggers"] = "00:00:01" });
        const int events = 1000;
        using var client = stack.CreateIngestClient();

        using var response = await client.PostAsync("/webhooks/segment", Batch("worker-stop", events));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= 1, "Novu received the first triggers");
        await stack.StopWorkerAsync();

        // Each event is either done (Novu notified, message acknowledged) or back in its queue untouched: never both.
        var notified = stack.Novu.Notifications.Count;
        var queued = await Queued(stack);
        Assert.True(notified < events, "the worker was done before it was stopped: nothing was in flight");
        Assert.Equal(events, notified + queued);

        await stack.StartWorkerAsync();
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= events, $"all {events} notified after the restart",
            TimeSpan.FromMinutes(2)); // 1000 one-second triggers, 256 at a time, on a loaded machine
        Assert.Equal(events, stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count());
        Assert.Equal(events, stack.Novu.Notifications.Count);
    }

    /// <summary>Ready messages over every partition queue.</summary>
    static async Task<long> Queued(SegmentNovuStack stack)
    {
        long total = 0;
        foreach (var partition in new TopologyOptions().All)
            total += (await RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.PartitionQueue(partition)))?.Messages ?? 0;
        return total;
    }

    static StringContent Batch(string run, int count) =>
        new(new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)ActionsBatch.Track(run, i))]).ToJsonString(), Encoding.UTF8, "application/json");
}
