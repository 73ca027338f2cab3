using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>
/// The stand-in can play a Novu that is slow on one route only. These specs check which call finishes first, not how
/// long anything took. The stand-in's clock is a <see cref="FakeTimeProvider"/>, so a held call waits until the spec
/// moves the clock on. The fast call is sent once the slow one is held, and it finishes while the slow one is still
/// held; only then does the clock move. A busy machine only makes them slower: an upsert that took longer than the
/// delay once let a real-time trigger finish first.
/// </summary>
public sealed class When_novu_is_slow_on_one_route
{
    static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);

    readonly FakeTimeProvider _clock = new();

    const string Identify = """{"subscriberId":"u-1","email":"ada@example.com"}""";
    const string Welcome = """{"name":"welcome","to":"u-1","transactionId":"tx-1"}""";

    /// <summary>Starts the slow call and returns once the stand-in is holding it back.</summary>
    static async Task<Task<(int Status, JsonNode? Body)>> StartHeldBackAsync(StandIn novu, Func<Task<(int, JsonNode?)>> send)
    {
        var call = send();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (novu.State.HeldBack == 0 && !call.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "The stand-in never held the slow call back.");
            await Task.Delay(10);
        }
        Assert.False(call.IsCompleted, "The slow call finished before it was held back.");
        return call;
    }

    /// <summary>Awaits the fast call while the slow one stays held (no time passes), then lets the slow one go.</summary>
    async Task<(int Status, JsonNode? Body)> FinishFirstAsync(StandIn novu, Task<(int Status, JsonNode? Body)> fast, Task<(int Status, JsonNode? Body)> slow)
    {
        var answer = await fast;
        Assert.False(slow.IsCompleted, "The slow call finished before the fast one.");
        Assert.Equal(1, novu.State.HeldBack);
        _clock.Advance(Slow);
        return answer;
    }

    [Fact]
    public async Task Should_let_a_trigger_sent_after_a_slow_upsert_finish_first_and_miss_the_email()
    {
        await using var novu = await StandIn.StartAsync(clock: _clock);
        novu.State.SetDelays(new RouteDelays { Subscribers = Slow });

        var upsert = await StartHeldBackAsync(novu, () => novu.PostAsync("/v2/subscribers", Identify));
        var trigger = novu.PostAsync("/v1/events/trigger", Welcome);

        Assert.Equal(201, (await FinishFirstAsync(novu, trigger, upsert)).Status);
        Assert.Equal(201, (await upsert).Status);
        Assert.False(Assert.Single(novu.State.Notifications).SubscriberHadEmail);
        Assert.Equal("ada@example.com", novu.State.Subscribers["u-1"]["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_wait_before_applying_a_slow_trigger_so_an_upsert_sent_after_it_is_seen()
    {
        await using var novu = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:Delays:Triggers"] = "00:00:01" }, _clock);

        var trigger = await StartHeldBackAsync(novu, () => novu.PostAsync("/v1/events/trigger", Welcome));
        var upsert = novu.PostAsync("/v2/subscribers", Identify);

        Assert.Equal(201, (await FinishFirstAsync(novu, upsert, trigger)).Status);
        Assert.Equal(201, (await trigger).Status);
        Assert.Equal("ada@example.com", Assert.Single(novu.State.Notifications).SubscriberEmail);
    }

    [Fact]
    public async Task Should_slow_a_patch_like_any_other_upsert()
    {
        await using var novu = await StandIn.StartAsync(clock: _clock);
        await novu.PostAsync("/v2/subscribers", """{"subscriberId":"u-1"}""");
        novu.State.SetDelays(new RouteDelays { Subscribers = Slow });

        var patch = await StartHeldBackAsync(novu, () => novu.SendAsync(HttpMethod.Patch, "/v2/subscribers/u-1", """{"email":"ada@example.com"}"""));
        var trigger = novu.PostAsync("/v1/events/trigger", Welcome);

        Assert.Equal(201, (await FinishFirstAsync(novu, trigger, patch)).Status);
        Assert.Equal(200, (await patch).Status);
        Assert.False(Assert.Single(novu.State.Notifications).SubscriberHadEmail);
    }

    [Fact]
    public async Task Should_take_delays_from_the_control_endpoint()
    {
        await using var novu = await StandIn.StartAsync();

        var (status, body) = await novu.PostAsync("/_standin/delays", """{"subscribers":"00:00:00.150","triggers":"00:00:00"}""");

        Assert.Equal(200, status);
        Assert.Equal(new RouteDelays { Subscribers = TimeSpan.FromMilliseconds(150) }, novu.State.Delays);
        Assert.Equal(body!.ToJsonString(), (await novu.GetAsync("/_standin/delays"))!.ToJsonString());
        Assert.Equal("00:00:00.1500000", body["subscribers"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_refuse_a_negative_delay()
    {
        await using var novu = await StandIn.StartAsync();

        var (status, _) = await novu.PostAsync("/_standin/delays", """{"triggers":"-00:00:01"}""");

        Assert.Equal(400, status);
        Assert.Equal(RouteDelays.None, novu.State.Delays);
        Assert.Throws<ArgumentOutOfRangeException>(() => novu.State.SetDelays(new RouteDelays { Topics = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public async Task Should_go_back_to_the_configured_delays_on_reset()
    {
        await using var novu = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:Delays:Topics"] = "00:00:00.100" });
        var configured = new RouteDelays { Topics = TimeSpan.FromMilliseconds(100) };
        Assert.Equal(configured, novu.State.Delays);
        novu.State.SetDelays(new RouteDelays { Subscribers = Slow, Triggers = Slow });

        novu.State.Reset();

        Assert.Equal(configured, novu.State.Delays);
    }

    [Fact]
    public void Should_clear_delays_set_at_run_time_on_reset()
    {
        var state = new StandInState();
        state.SetDelays(new RouteDelays { Subscribers = Slow });

        state.Reset();

        Assert.Equal(RouteDelays.None, state.Delays);
    }

    [Theory]
    [InlineData("POST", "/v2/subscribers", "subscribers")]
    [InlineData("PATCH", "/v2/subscribers/u-1", "subscribers")]
    [InlineData("GET", "/v2/subscribers/u-1", "none")]
    [InlineData("DELETE", "/v2/subscribers/u-1", "none")]
    [InlineData("POST", "/v1/events/trigger", "triggers")]
    [InlineData("POST", "/v1/events/trigger/bulk", "triggers")]
    [InlineData("POST", "/v2/topics", "topics")]
    [InlineData("DELETE", "/v2/topics/team/subscriptions", "topics")]
    [InlineData("GET", "/_standin/notifications", "none")]
    public void Should_slow_each_route_by_its_own_delay(string method, string path, string expected)
    {
        var delays = new RouteDelays { Subscribers = TimeSpan.FromSeconds(1), Triggers = TimeSpan.FromSeconds(2), Topics = TimeSpan.FromSeconds(3) };

        var delay = delays.For(method, path);

        Assert.Equal(expected switch { "subscribers" => 1, "triggers" => 2, "topics" => 3, _ => 0 }, delay.TotalSeconds);
    }
}
