using System.Net;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.IntegrationTests;

/// <summary>The walking skeleton end to end: Segment's webhook → ingest API → RabbitMQ → worker → Novu stand-in.</summary>
public sealed class When_segment_events_are_posted_to_the_webhook : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Should_upsert_the_subscriber_from_the_identify_sample()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.PostAsync("/webhooks/segment", Json(Samples.Read("identify")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Requests.Count > 0, "Novu received the upsert");
        var request = Assert.Single(_stack.Novu.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/subscribers", request.Path);
        Assert.Equal("ApiKey " + SegmentNovuStack.NovuApiKey, request.Authorization);
        Assert.Equal(IdempotencyKeys.For("ajs-next-1700000000000-4f1c2b6e", "subscriber", FailureReport.FirstLineage), request.IdempotencyKey);
        Assert.Equal(201, request.Status);
        JsonAssert.Equivalent("""
            {
              "subscriberId": "97980cfea0067",
              "firstName": "Peter",
              "lastName": "Gibbons",
              "email": "peter@example.com",
              "phone": "+15555550123",
              "avatar": "https://example.com/p.png",
              "locale": "en-US",
              "timezone": "Europe/Amsterdam",
              "data": { "plan": "premium", "logins": 5 }
            }
            """, request.Body);
    }

    [Fact]
    public async Task Should_trigger_the_mapped_workflow_from_the_track_sample()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.PostAsync("/webhooks/segment", Json(Samples.Read("track")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Requests.Count > 0, "Novu received the trigger");
        var request = Assert.Single(_stack.Novu.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/events/trigger", request.Path);
        Assert.Equal("ApiKey " + SegmentNovuStack.NovuApiKey, request.Authorization);
        Assert.Equal(IdempotencyKeys.For("ajs-next-1700000000001-9a8b7c6d", "trigger", FailureReport.FirstLineage), request.IdempotencyKey);
        JsonAssert.Equivalent("""
            {
              "name": "welcome",
              "to": { "subscriberId": "97980cfea0067" },
              "payload": { "plan": "Pro Annual", "accountType": "Facebook" },
              "transactionId": "ajs-next-1700000000001-9a8b7c6d"
            }
            """, request.Body);
        var notification = Assert.Single(_stack.Novu.Notifications);
        Assert.Equal(("welcome", "97980cfea0067"), (notification.Workflow, notification.To));
    }

    [Fact]
    public async Task Should_deliver_every_event_of_an_actions_batch()
    {
        using var client = _stack.CreateIngestClient();
        var batch = $"[{Samples.Read("identify")},{Samples.Read("track")}]";

        using var response = await client.PostAsync("/webhooks/segment", Json(batch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Requests.Count >= 2, "Novu received both calls");
        Assert.Equal(["/v1/events/trigger", "/v2/subscribers"], _stack.Novu.Requests.Select(r => r.Path).Order());
    }

    [Theory]
    [InlineData("""{"type":"bogus","userId":"u-1","messageId":"m-1"}""", "Unsupported event type")]
    [InlineData("""{"userId":"u-1","messageId":"m-1"}""", "has no")]
    [InlineData("""{"type":"identify", "userId": """, "not valid JSON")]
    public async Task Should_answer_400_and_publish_nothing_for_invalid_input(string body, string reason)
    {
        await _stack.StopWorkerAsync(); // whatever got published would stay in the queue, countable
        using var client = _stack.CreateIngestClient();

        using var invalid = await client.PostAsync("/webhooks/segment", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, await invalid.Content.ReadAsStringAsync());

        // A valid event afterwards is the only message in the queue.
        using var valid = await client.PostAsync("/webhooks/segment", Json(Samples.Read("identify")));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(1u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Identify));
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track) ?? 0u);
        Assert.Empty(_stack.Novu.Requests);
    }
}
