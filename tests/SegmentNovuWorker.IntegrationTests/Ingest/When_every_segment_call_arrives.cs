using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>Every Segment call type goes somewhere: the Novu call it becomes, or a counted skip.</summary>
public sealed class When_every_segment_call_arrives : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Novu:Pages:Pricing"] = "pricing-viewed",
        ["Novu:Screens:Home"] = "home-opened",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    async Task PostAsync(string body)
    {
        using var client = _stack.CreateIngestClient();
        using var response = await client.PostAsync("/webhooks/segment", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The queue is empty again: the worker consumed (and acknowledged) what was published.</summary>
    async Task WaitUntilConsumedAsync(string queue)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, queue) != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{queue} was not consumed");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Should_trigger_the_workflow_mapped_to_a_page_name()
    {
        await PostAsync(Samples.Read("page"));

        // The stand-in records a request once it has answered it, after its state changed: wait for both.
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 1 && _stack.Novu.Requests.Count == 1,
            "the page triggered a workflow");
        var request = Assert.Single(_stack.Novu.Requests);
        Assert.Equal(IdempotencyKeys.For("ajs-next-1700000000004-3d4e5f60", "trigger", FailureReport.FirstLineage), request.IdempotencyKey);
        JsonAssert.Equivalent("""
            {
              "name": "pricing-viewed",
              "to": { "subscriberId": "97980cfea0067" },
              "payload": { "title": "Pricing", "url": "https://example.com/pricing", "path": "/pricing" },
              "transactionId": "ajs-next-1700000000004-3d4e5f60"
            }
            """, request.Body);
    }

    [Fact]
    public async Task Should_trigger_the_workflow_mapped_to_a_screen_name()
    {
        await PostAsync("""{"type":"screen","messageId":"screen-1","userId":"u-screen","name":"Home","properties":{"tab":"feed"}}""");

        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 1, "the screen triggered a workflow");
        var notification = Assert.Single(_stack.Novu.Notifications);
        Assert.Equal(("home-opened", "u-screen", "screen-1"), (notification.Workflow, notification.To, notification.TransactionId));
    }

    [Fact]
    public async Task Should_skip_pages_and_screens_whose_name_is_not_mapped()
    {
        await PostAsync("""[{"type":"page","messageId":"p-2","userId":"u-1","name":"Blog"},{"type":"screen","messageId":"s-2","userId":"u-1"}]""");

        await WaitUntilConsumedAsync(CallQueues.Page);
        await WaitUntilConsumedAsync(CallQueues.Screen);
        Assert.Empty(_stack.Novu.Requests);
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, SegmentQueues.ErrorQueueOf(CallQueues.Page)) ?? 0);
    }

    [Fact]
    public async Task Should_subscribe_the_user_to_the_groups_topic_named_after_the_group()
    {
        // Novu subscribes only subscribers it knows (it reports the others in its answer): the user is identified first.
        await PostAsync(Samples.Read("identify"));
        await PostAsync(Samples.Read("group"));

        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.TopicSubscriptions.ContainsKey("group-acme-inc")
            && _stack.Novu.TopicSubscriptions["group-acme-inc"].Length == 1 && _stack.Novu.Requests.Count == 3, "the user joined the topic");
        Assert.Equal(["97980cfea0067"], _stack.Novu.TopicSubscriptions["group-acme-inc"]);
        Assert.Equal("Acme Inc", _stack.Novu.TopicName("group-acme-inc"));
        Assert.Equal(["/v2/subscribers", "/v2/topics", "/v2/topics/group-acme-inc/subscriptions"], _stack.Novu.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Should_delete_the_novu_subscriber_on_a_segment_user_deletion()
    {
        await PostAsync(Samples.Read("identify"));
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Subscribers.ContainsKey("97980cfea0067"), "the subscriber exists");

        await PostAsync(Samples.Read("delete"));

        await SegmentNovuStack.WaitUntilAsync(() => !_stack.Novu.Subscribers.ContainsKey("97980cfea0067")
            && _stack.Novu.Requests.Any(r => r.Method == "DELETE"), "the subscriber was deleted");
        var delete = _stack.Novu.Requests.Single(r => r.Method == "DELETE");
        Assert.Equal(("/v2/subscribers/97980cfea0067", 200), (delete.Path, delete.Status));
    }

    [Fact]
    public async Task Should_treat_the_deletion_of_a_subscriber_novu_does_not_know_as_done()
    {
        await PostAsync("""{"type":"delete","messageId":"del-unknown","userId":"never-identified"}""");

        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Requests.Count == 1, "Novu was asked to delete");
        await WaitUntilConsumedAsync(CallQueues.Delete);
        Assert.Equal(404, _stack.Novu.Requests[0].Status);
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, SegmentQueues.ErrorQueueOf(CallQueues.Delete)) ?? 0);
    }

    [Fact]
    public async Task Should_acknowledge_an_alias_without_calling_novu()
    {
        await PostAsync(Samples.Read("alias"));

        await WaitUntilConsumedAsync(CallQueues.Alias);
        Assert.Empty(_stack.Novu.Requests);
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, SegmentQueues.ErrorQueueOf(CallQueues.Alias)) ?? 0);
    }

    [Theory]
    [InlineData("""{"Novu":false}""")]
    [InlineData("""{"All":false}""")]
    [InlineData("""{"All":false,"Novu":false}""")]
    public async Task Should_not_send_to_novu_an_event_that_opted_out(string integrations)
    {
        using var client = _stack.CreateIngestClient();
        var body = $$"""{"type":"track","messageId":"opt-out","userId":"u-1","event":"User Registered","integrations":{{integrations}}}""";

        using var response = await client.PostAsync("/webhooks/segment", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (int)(await BodyAsync(response))["optedOut"]!);
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }

    [Fact]
    public async Task Should_send_to_novu_an_event_that_opts_out_of_all_but_novu()
    {
        await PostAsync("""{"type":"track","messageId":"opt-in","userId":"u-1","event":"User Registered","integrations":{"All":false,"Novu":true}}""");

        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 1, "the event was delivered");
    }
}
