using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentActionsDestination;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Segment's own Webhooks (Actions) destination code with the wrong credential, or a batch the configuration does not
/// accept: 401 (which Actions does not retry), nothing published, and the answer and a warning line name the setting
/// that would accept the batch, never a secret.
/// </summary>
public sealed class When_segments_own_actions_destination_is_refused : IAsyncLifetime
{
    const string Secret = "actions-shared-secret-2";
    const string Token = "7e6f5a4b3c2d1e0f4c2a9e8b7d6c5f4e3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d";
    const string WrongToken = "1111111111111111111111111111111111111111111111111111111111111111";
    readonly CapturedLogs _logs = new();
    RabbitMqBroker _broker = null!;
    Uri _rabbitMq = null!;
    WebApplication _ingest = null!;
    Uri _ingestUrl = null!;

    // The first-element mode is off here (its default), the token and the secret set.
    public async Task InitializeAsync()
    {
        _broker = await RabbitMqBroker.GetAsync();
        _rabbitMq = await _broker.CreateVirtualHostAsync();
        (_ingest, _ingestUrl) = await LoopbackHost.StartAsync(
            (args, configure) => IngestApplication.Create(args, builder =>
            {
                configure(builder);
                builder.Logging.AddProvider(_logs);
            }),
            "SegmentNovuWorker.Ingest",
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:RabbitMq"] = _rabbitMq.ToString(),
                ["Segment:SharedSecret"] = Secret,
                ["Segment:WebhookTokens:0"] = Token,
                ["Ingest:AllowUnauthenticated"] = "true",
                ["Admin:Urls"] = "http://127.0.0.1:0",
            });
    }

    public async Task DisposeAsync()
    {
        await _ingest.StopAsync();
        await _ingest.DisposeAsync();
        await _broker.DeleteVirtualHostAsync(_rabbitMq);
    }

    async Task<uint> QueuedAsync()
    {
        uint total = 0;
        foreach (var queue in new[] { CallQueues.Identify, CallQueues.Track })
            total += await RabbitMqBroker.MessageCountAsync(_rabbitMq, queue) ?? 0;
        return total;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_answer_401_to_a_wrong_token_and_publish_nothing(bool batch)
    {
        var result = await SendAsync(_ingestUrl, new Scenario("wrong-token", Batch: batch, Events: 3, Token: WrongToken));

        Assert.NotEmpty(result.Requests);
        Assert.All(result.Requests, r => Assert.Equal(401, r.Status));
        Assert.Contains("Segment:WebhookTokens", result.Requests[0].Answer, StringComparison.Ordinal);
        Assert.Equal(0u, await QueuedAsync());
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(WrongToken, StringComparison.Ordinal) || l.Contains(Token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_answer_401_to_a_wrong_secret_and_publish_nothing(bool batch)
    {
        var result = await SendAsync(_ingestUrl, new Scenario("wrong-secret", Batch: batch, Events: 3, SharedSecret: "not-the-secret"));

        Assert.NotEmpty(result.Requests);
        Assert.All(result.Requests, r => Assert.Equal(401, r.Status));
        Assert.Equal(0u, await QueuedAsync());
    }

    [Fact]
    public async Task Should_name_the_settings_that_would_accept_a_first_element_signed_batch()
    {
        var result = await SendAsync(_ingestUrl, new Scenario("mode-off", Batch: true, Events: 3, SharedSecret: Secret));

        var request = Assert.Single(result.Requests);
        Assert.Equal(401, request.Status);
        var detail = (string?)request.AnswerJson["detail"];
        Assert.Contains("Segment:AcceptFirstElementSignature=true", detail, StringComparison.Ordinal);
        Assert.Contains("Segment:WebhookTokens", detail, StringComparison.Ordinal);
        Assert.Equal(0u, await QueuedAsync());
        var line = Assert.Single(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Segment:AcceptFirstElementSignature=true", StringComparison.Ordinal));
        Assert.Contains("Segment:WebhookTokens", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
    }
}
