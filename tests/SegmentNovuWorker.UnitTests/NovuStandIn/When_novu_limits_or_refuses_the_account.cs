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
        var statuses = new List<HttpStatusCode>();
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
        Assert.Equal("1", limited.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.NotEmpty(limited.Headers.GetValues("RateLimit-Reset").Single());
        Assert.Contains("category=\"trigger\"", limited.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal(HttpStatusCode.Created, subscriber.StatusCode); // another category's bucket
        limited.Dispose();
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
