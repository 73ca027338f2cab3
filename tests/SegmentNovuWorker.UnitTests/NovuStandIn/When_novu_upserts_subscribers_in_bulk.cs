using System.Text.Json.Nodes;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary><c>POST /v1/subscribers/bulk</c> as Novu's source plays it (shared/contracts/novu.md; apps/api, libs/dal).</summary>
public sealed class When_novu_upserts_subscribers_in_bulk
{
    static string Bulk(params string[] subscribers) => $$"""{"subscribers":[{{string.Join(",", subscribers)}}]}""";

    static string[] Ids(JsonNode? list) => [.. list!.AsArray().Select(s => s!["subscriberId"]!.GetValue<string>())];

    [Fact]
    public async Task Should_fail_the_whole_request_when_one_subscriber_is_invalid_and_store_none()
    {
        await using var standIn = await StandIn.StartAsync();

        var (status, body) = await standIn.PostAsync("/v1/subscribers/bulk",
            Bulk("""{"subscriberId":"good","email":"good@example.com"}""", """{"subscriberId":"bad","email":"not an email"}"""));

        Assert.Equal(422, status);
        Assert.Equal("email must be an email", body!["errors"]!["subscribers.1.email"]!.GetValue<string>());
        Assert.Empty(standIn.State.Subscribers);
    }

    [Fact]
    public async Task Should_take_500_subscribers_and_refuse_501()
    {
        await using var standIn = await StandIn.StartAsync();
        string Many(int n, string prefix) => Bulk([.. Enumerable.Range(0, n).Select(i => $$"""{"subscriberId":"{{prefix}}-{{i}}"}""")]);

        var (tooMany, _) = await standIn.PostAsync("/v1/subscribers/bulk", Many(501, "over"));
        var (enough, body) = await standIn.PostAsync("/v1/subscribers/bulk", Many(500, "cap"));
        var (none, _) = await standIn.PostAsync("/v1/subscribers/bulk", Bulk());

        Assert.Equal(422, tooMany);
        Assert.Equal(422, none);
        Assert.Equal(201, enough);
        Assert.Equal(500, body!["data"]!["created"]!.AsArray().Count);
        Assert.Equal(500, standIn.State.Subscribers.Count);
    }

    [Fact]
    public async Task Should_answer_each_subscriber_created_updated_or_failed_and_write_the_others()
    {
        await using var standIn = await StandIn.StartAsync();
        standIn.State.UpsertSubscriber("known", new JsonObject { ["lastName"] = "Old", ["data"] = new JsonObject { ["plan"] = "free", ["seats"] = 3 } });
        standIn.State.FailSubscriberWrites("broken", "Document failed validation");

        var (status, body) = await standIn.PostAsync("/v1/subscribers/bulk", Bulk(
            """{"subscriberId":"new","email":"new@example.com"}""",
            """{"subscriberId":"broken","email":"broken@example.com"}""",
            """{"subscriberId":"known","email":"known@example.com","data":{"plan":"pro"}}"""));

        Assert.Equal(201, status);
        Assert.Equal(["new"], Ids(body!["data"]!["created"]));
        Assert.Equal(["known"], Ids(body["data"]!["updated"]));
        var failed = Assert.Single(body["data"]!["failed"]!.AsArray());
        Assert.Equal("broken", failed!["subscriberId"]!.GetValue<string>());
        Assert.Equal("Document failed validation", failed["message"]!.GetValue<string>());

        var stored = standIn.State.Subscribers;
        Assert.False(stored.ContainsKey("broken"));
        Assert.Equal("new@example.com", stored["new"]["email"]!.GetValue<string>());
        // $set of the fields sent: a field not sent stays, data is replaced as a whole (not merged key by key).
        Assert.Equal("Old", stored["known"]["lastName"]!.GetValue<string>());
        Assert.Equal("""{"plan":"pro"}""", stored["known"]["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Should_charge_100_configuration_tokens_whatever_it_carries()
    {
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:SubscriberRatePerSecond"] = "40" });

        using var single = await standIn.Client.PostAsync("/v2/subscribers",
            new StringContent("""{"subscriberId":"one"}""", System.Text.Encoding.UTF8, "application/json"));
        using var bulk = await standIn.Client.PostAsync("/v1/subscribers/bulk",
            new StringContent(Bulk("""{"subscriberId":"two"}"""), System.Text.Encoding.UTF8, "application/json"));

        // 40/s holds 220 tokens: 219 after the single call, 119 after a bulk of one subscriber.
        Assert.Equal("219", single.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("119", bulk.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Contains("category=\"configuration\";cost=\"bulk\"", bulk.Headers.GetValues("RateLimit-Policy").Single());
    }
}
