using System.Text.Json.Nodes;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>
/// The stand-in answers a trigger to a subscriber it does not know the way Novu does: "processed", with a bare
/// subscriber created, and it records whether the notification found an email to send to.
/// </summary>
public sealed class When_a_trigger_reaches_a_subscriber : IAsyncLifetime
{
    StandIn _novu = null!;

    public async Task InitializeAsync() => _novu = await StandIn.StartAsync();

    public async Task DisposeAsync() => await _novu.DisposeAsync();

    [Theory]
    [InlineData("\"u-new\"")]
    [InlineData("""{"subscriberId":"u-new"}""")]
    public async Task Should_create_a_bare_subscriber_it_did_not_know_and_still_answer_processed(string to)
    {
        var (status, body) = await _novu.PostAsync("/v1/events/trigger", $$"""{"name":"welcome","to":{{to}},"transactionId":"tx-1"}""");

        Assert.Equal(201, status);
        Assert.Equal("processed", body!["data"]!["status"]!.GetValue<string>());
        Assert.Equal("""{"subscriberId":"u-new"}""", _novu.State.Subscribers["u-new"].ToJsonString());
        var notification = Assert.Single(_novu.State.Notifications);
        Assert.Equal("u-new", notification.To);
        Assert.False(notification.SubscriberHadEmail);
        Assert.Null(notification.SubscriberEmail);
    }

    [Fact]
    public async Task Should_find_the_email_of_a_subscriber_identified_before()
    {
        await _novu.PostAsync("/v2/subscribers", """{"subscriberId":"u-1","email":"ada@example.com"}""");

        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":"u-1","transactionId":"tx-1"}""");

        var notification = Assert.Single(_novu.State.Notifications);
        Assert.True(notification.SubscriberHadEmail);
        Assert.Equal("ada@example.com", notification.SubscriberEmail);
    }

    [Fact]
    public async Task Should_not_count_an_email_that_came_after_the_trigger()
    {
        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":"u-1","transactionId":"tx-1"}""");
        await _novu.PostAsync("/v2/subscribers", """{"subscriberId":"u-1","email":"ada@example.com"}""");

        Assert.False(Assert.Single(_novu.State.Notifications).SubscriberHadEmail);
        Assert.Equal("ada@example.com", _novu.State.Subscribers["u-1"]["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_create_the_subscriber_carried_inline_before_triggering()
    {
        var (status, _) = await _novu.PostAsync("/v1/events/trigger",
            """{"name":"welcome","to":{"subscriberId":"u-2","email":"grace@example.com","firstName":"Grace","unknown":"dropped"},"transactionId":"tx-2"}""");

        Assert.Equal(201, status);
        var notification = Assert.Single(_novu.State.Notifications);
        Assert.True(notification.SubscriberHadEmail);
        Assert.Equal("grace@example.com", notification.SubscriberEmail);
        Assert.Equal("""{"subscriberId":"u-2","email":"grace@example.com","firstName":"Grace"}""", _novu.State.Subscribers["u-2"].ToJsonString());
    }

    [Fact]
    public async Task Should_update_a_known_subscriber_from_inline_fields_and_keep_the_others()
    {
        await _novu.PostAsync("/v2/subscribers", """{"subscriberId":"u-3","phone":"+15550100"}""");

        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":{"subscriberId":"u-3","email":"new@example.com"},"transactionId":"tx-3"}""");

        Assert.Equal("new@example.com", Assert.Single(_novu.State.Notifications).SubscriberEmail);
        var subscriber = _novu.State.Subscribers["u-3"];
        Assert.Equal("+15550100", subscriber["phone"]!.GetValue<string>());
        Assert.Equal("new@example.com", subscriber["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_treat_each_event_of_a_bulk_trigger_the_same_way()
    {
        var (status, body) = await _novu.PostAsync("/v1/events/trigger/bulk", """
            {"events":[
              {"name":"welcome","to":"u-bare","payload":{},"transactionId":"tx-a"},
              {"name":"welcome","to":{"subscriberId":"u-inline","email":"inline@example.com"},"payload":{},"transactionId":"tx-b"}
            ]}
            """);

        Assert.Equal(201, status);
        Assert.All(body!["data"]!.AsArray(), r => Assert.Equal("processed", r!["status"]!.GetValue<string>()));
        var byTransaction = _novu.State.Notifications.ToDictionary(n => n.TransactionId);
        Assert.False(byTransaction["tx-a"].SubscriberHadEmail);
        Assert.Equal("inline@example.com", byTransaction["tx-b"].SubscriberEmail);
        Assert.Equal(["u-bare", "u-inline"], _novu.State.Subscribers.Keys.Order());
    }

    [Fact]
    public async Task Should_leave_subscribers_alone_when_a_transaction_id_repeats()
    {
        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":"u-4","transactionId":"tx-4"}""");

        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":{"subscriberId":"u-4","email":"late@example.com"},"transactionId":"tx-4"}""");

        Assert.False(Assert.Single(_novu.State.Notifications).SubscriberHadEmail);
        Assert.Null(_novu.State.Subscribers["u-4"]["email"]);
    }

    [Fact]
    public async Task Should_reach_a_topics_subscribers_without_creating_any()
    {
        await _novu.PostAsync("/v2/subscribers", """{"subscriberId":"m-1","email":"m1@example.com"}""");
        await _novu.PostAsync("/v2/subscribers", """{"subscriberId":"m-2"}""");
        await _novu.PostAsync("/v2/topics/team/subscriptions", """{"subscriptions":["m-1","m-2"]}""");

        await _novu.PostAsync("/v1/events/trigger", """{"name":"digest","to":{"type":"Topic","topicKey":"team"},"transactionId":"tx-5"}""");

        var notification = Assert.Single(_novu.State.Notifications);
        Assert.Equal("topic:team", notification.To);
        Assert.Equal([new("m-1", "m1@example.com"), new("m-2", null)], notification.Recipients);
        Assert.False(notification.SubscriberHadEmail);
        Assert.Equal(["m-1", "m-2"], _novu.State.Subscribers.Keys.Order());
    }

    [Fact]
    public async Task Should_reject_an_inline_field_novu_would_reject()
    {
        var (status, _) = await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":{"subscriberId":"u-6","email":42},"transactionId":"tx-6"}""");

        Assert.Equal(422, status);
        Assert.Empty(_novu.State.Notifications);
        Assert.Empty(_novu.State.Subscribers);
    }

    [Fact]
    public async Task Should_show_whether_the_email_was_found_on_the_control_endpoint()
    {
        await _novu.PostAsync("/v1/events/trigger", """{"name":"welcome","to":{"subscriberId":"u-7","email":"u7@example.com"},"transactionId":"tx-7"}""");

        var notification = (await _novu.GetAsync("/_standin/notifications"))!.AsArray().Single()!;

        Assert.True(notification["subscriberHadEmail"]!.GetValue<bool>());
        Assert.Equal("u7@example.com", notification["subscriberEmail"]!.GetValue<string>());
        Assert.Equal("""[{"subscriberId":"u-7","email":"u7@example.com"}]""", notification["recipients"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":42,"to":"u-1"}""")]
    [InlineData("""{"name":{"id":"welcome"},"to":"u-1"}""")]
    [InlineData("""{"name":"welcome","to":"u-1","transactionId":7}""")]
    public async Task Should_refuse_a_field_of_the_wrong_type_with_a_422_as_novus_validation_does_not_a_500(string body)
    {
        var (status, _) = await _novu.PostAsync("/v1/events/trigger", body);

        Assert.Equal(422, status);
    }
}
