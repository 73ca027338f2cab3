using System.Text;
using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>The stand-in's idempotency, as Novu documents it (shared/contracts/novu.md), with the switch on and off.</summary>
public sealed class When_novu_sees_an_idempotency_key_again
{
    const string Upsert = """{"subscriberId":"user-1","email":"a@example.com"}""";

    static async Task<(int Status, string? Replay, string? RetryAfter, JsonNode? Body)> PostAsync(StandIn standIn, string path, string json, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await standIn.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode,
            response.Headers.TryGetValues("Idempotency-Replay", out var replay) ? replay.Single() : null,
            response.Headers.TryGetValues("Retry-After", out var retry) ? retry.Single() : null,
            text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Should_replay_an_error_from_novus_handler_to_every_repeat_of_the_key()
    {
        await using var standIn = await StandIn.StartAsync();
        standIn.State.AddFault(new Fault("/v2/subscribers", 500, InHandler: true));

        var first = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var again = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var fresh = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-2");

        Assert.Equal(500, first.Status);
        Assert.Equal((500, "true"), (again.Status, again.Replay));
        Assert.Equal(201, fresh.Status);
    }

    [Fact]
    public async Task Should_answer_422_to_a_key_reused_for_a_different_body()
    {
        await using var standIn = await StandIn.StartAsync();

        await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var other = await PostAsync(standIn, "/v2/subscribers", """{"subscriberId":"user-2"}""", "k-1");

        Assert.Equal(422, other.Status);
        Assert.Contains("different body", other.Body?["message"]?.ToString());
    }

    [Fact]
    public async Task Should_answer_409_with_retry_after_while_the_key_is_in_flight()
    {
        await using var standIn = await StandIn.StartAsync();
        standIn.State.AddFault(new Fault("/v2/subscribers", 201, DelayMs: 4000, InHandler: true, Message: "slow"));

        var slow = PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        await Task.Delay(1000); // the slow one is in Novu's handler by now, even on a busy machine
        var during = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        await slow;

        Assert.Equal((409, "1"), (during.Status, during.RetryAfter));
    }

    [Fact]
    public async Task Should_process_every_repeat_when_the_organization_has_idempotency_off()
    {
        await using var standIn = await StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:Idempotency"] = "false" });
        standIn.State.AddFault(new Fault("/v2/subscribers", 500, InHandler: true));

        var first = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var again = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var otherBody = await PostAsync(standIn, "/v2/subscribers", """{"subscriberId":"user-2"}""", "k-1");

        Assert.Equal(500, first.Status);
        Assert.Equal((201, null), (again.Status, again.Replay));
        Assert.Equal(201, otherBody.Status);
    }

    [Fact]
    public async Task Should_not_remember_a_gateway_error_in_front_of_novu()
    {
        await using var standIn = await StandIn.StartAsync();
        standIn.State.AddFault(new Fault("/v2/subscribers", 503));

        var first = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");
        var again = await PostAsync(standIn, "/v2/subscribers", Upsert, "k-1");

        Assert.Equal((503, 201), (first.Status, again.Status));
    }
}
