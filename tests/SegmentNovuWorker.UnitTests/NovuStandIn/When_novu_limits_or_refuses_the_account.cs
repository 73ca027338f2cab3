using System.Globalization;
using System.Net;
using System.Text;
using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>The stand-in's rate limits, account errors and partial topic answers, as Novu documents them.</summary>
public sealed class When_novu_limits_or_refuses_the_account
{
    [Fact]
    public async Task Should_answer_429_with_retry_after_and_ratelimit_headers_per_category()
    {
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:TriggerRatePerSecond"] = "1" });
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 2000 && limited is null; i++)
        {
            var response = await standIn.Client.PostAsync("/v1/events/trigger",
                new StringContent($$"""{"name":"w","to":"u","transactionId":"t-{{i}}"}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                limited = response;
            else
                response.Dispose();
        }
        using var subscriber = await standIn.Client.PostAsync("/v2/subscribers",
            new StringContent("""{"subscriberId":"u"}""", Encoding.UTF8, "application/json"));

        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        // Novu's Limit is the rate times its 5 s window (it was the rate of a 1 s bucket before the stand-in followed Novu's source).
        Assert.Equal("5", limited.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal(limited.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture), limited.Headers.GetValues("RateLimit-Reset").Single());
        Assert.Contains("category=\"trigger\"", limited.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal(HttpStatusCode.Created, subscriber.StatusCode); // another category's bucket
        limited.Dispose();
    }

    [Fact]
    public async Task Should_hold_a_five_second_window_plus_ten_percent_and_charge_a_bulk_call_100()
    {
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?>
        {
            ["StandIn:TriggerRatePerSecond"] = "60",
            ["StandIn:ServiceLevel"] = "free",
        });

        using var single = await standIn.Client.PostAsync("/v1/events/trigger",
            new StringContent("""{"name":"w","to":"u","transactionId":"t-1"}""", Encoding.UTF8, "application/json"));
        using var bulk = await standIn.Client.PostAsync("/v1/events/trigger/bulk",
            new StringContent("""{"events":[{"name":"w","to":"u","transactionId":"t-2"}]}""", Encoding.UTF8, "application/json"));

        // Novu's own free-plan example (shared/contracts/novu.md): 60/s is 300 a window, 330 with the burst.
        Assert.Equal("300;w=5;burst=330;comment=\"token bucket\";category=\"trigger\";cost=\"single\";serviceLevel=\"free\"",
            single.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal("300", single.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("329", single.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("229", bulk.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Contains("cost=\"bulk\"", bulk.Headers.GetValues("RateLimit-Policy").Single());
    }

    [Fact]
    public async Task Should_never_keep_a_429_under_its_idempotency_key()
    {
        // 0.5/s: a bucket of 2 tokens, one more every 2 s, so the keyed call finds it empty (unless two local calls took 2 s).
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:TriggerRatePerSecond"] = "0.5" });
        for (var i = 0; i < 2; i++)
            await standIn.PostAsync("/v1/events/trigger", $$"""{"name":"w","to":"u","transactionId":"fill-{{i}}"}""");

        var body = """{"name":"w","to":"u","transactionId":"kept"}""";
        var first = await SendWithKeyAsync(standIn, body);
        await Task.Delay(TimeSpan.FromSeconds(first.RetryAfter ?? 1));
        var again = await SendWithKeyAsync(standIn, body);

        Assert.Equal(429, first.Status);
        Assert.Equal((201, false), (again.Status, again.Replayed)); // Novu's rate limit answers in front of its idempotency layer
    }

    static async Task<(int Status, double? RetryAfter, bool Replayed)> SendWithKeyAsync(StandIn standIn, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events/trigger") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", "the-same-key");
        using var response = await standIn.Client.SendAsync(request);
        return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds, response.Headers.Contains("Idempotency-Replay"));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    public async Task Should_refuse_every_call_for_the_account_on_demand(int status)
    {
        await using var standIn = await StandIn.StartAsync();
        standIn.State.AccountError = new AccountError(status);

        var refused = await standIn.PostAsync("/v2/subscribers", """{"subscriberId":"u"}""");
        standIn.State.AccountError = null;
        var accepted = await standIn.PostAsync("/v2/subscribers", """{"subscriberId":"u"}""");

        Assert.Equal((status, 201), (refused.Status, accepted.Status));
    }

    [Fact]
    public async Task Should_report_a_subscriber_that_does_not_exist_in_a_2xx_topic_answer()
    {
        await using var standIn = await StandIn.StartAsync();
        await standIn.PostAsync("/v2/subscribers", """{"subscriberId":"known"}""");

        var (status, body) = await standIn.PostAsync("/v2/topics/t/subscriptions", """{"subscriptions":["known","ghost"]}""");

        Assert.Equal(201, status);
        Assert.Equal(1, (int?)body?["meta"]?["failed"]);
        Assert.Equal("ghost", body?["errors"]?[0]?["subscriberId"]?.ToString());
        Assert.Equal(["known"], standIn.State.TopicSubscriptions["t"]);
    }
}
