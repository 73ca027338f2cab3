using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>Closed by default: no front door opens without its credentials unless a local trial says so, loudly.</summary>
public sealed class When_the_ingest_starts_without_credentials
{
    // Nothing listens on port 1: these tests are about start-up, not the broker.
    const string NoBroker = "amqp://guest:guest@127.0.0.1:1/";

    static Task<(Microsoft.AspNetCore.Builder.WebApplication App, Uri Address)> StartAsync(Dictionary<string, string?> settings, CapturedLogs? logs = null)
    {
        settings.TryAdd("ConnectionStrings:RabbitMq", NoBroker);
        settings.TryAdd("Logging:LogLevel:Default", "Warning");
        return LoopbackHost.StartAsync((args, configure) => IngestApplication.Create(args, builder =>
        {
            configure(builder);
            if (logs is not null)
                builder.Logging.AddProvider(logs);
        }), "SegmentNovuWorker.Ingest", settings);
    }

    [Fact]
    public async Task Should_refuse_to_start_and_name_both_keys()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync([]));

        Assert.Contains("Segment:SharedSecret", failure.Message);
        Assert.Contains("Segment:WriteKeys", failure.Message);
        Assert.Contains("Ingest:AllowUnauthenticated", failure.Message);
    }

    [Fact]
    public async Task Should_name_only_the_key_still_missing()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Segment:SharedSecret"] = "s3cret-value" }));

        Assert.Contains("Segment:WriteKeys", failure.Message);
        Assert.DoesNotContain("Segment:SharedSecret is not set", failure.Message);
        Assert.DoesNotContain("s3cret-value", failure.Message);
    }

    [Fact]
    public async Task Should_start_with_client_write_keys_alone_for_v1()
    {
        var (app, _) = await StartAsync(new() { ["Segment:SharedSecret"] = "s", ["Segment:ClientWriteKeys:0"] = "browser-key" });
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Should_start_open_for_a_local_trial_and_say_so_loudly()
    {
        var logs = new CapturedLogs();
        var (app, _) = await StartAsync(new() { ["Ingest:AllowUnauthenticated"] = "true" }, logs);
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Contains(logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("UNAUTHENTICATED", StringComparison.Ordinal)
            && l.Contains("/webhooks/segment", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("/v1/*", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_an_admin_key_shorter_than_32_characters_in_the_admin_process()
    {
        // The admin API is its own process now; its keys are checked where they are used.
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackHost.StartAsync(
            SegmentNovuWorker.Admin.AdminApplication.Create, "SegmentNovuWorker.Admin", new Dictionary<string, string?>
            {
                ["ConnectionStrings:RabbitMq"] = NoBroker,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Admin:ApiKey"] = "short-admin-key",
            }));

        Assert.Contains("Admin:ApiKey must be at least 32 characters", failure.Message);
        Assert.DoesNotContain("short-admin-key", failure.Message);
    }

    [Fact]
    public async Task Should_start_with_a_webhook_token_alone_for_the_webhook()
    {
        var (app, _) = await StartAsync(new() { ["Segment:WebhookTokens:0"] = new string('t', 32), ["Segment:WriteKeys:0"] = "server-key" });
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Should_refuse_a_webhook_token_shorter_than_32_characters_naming_only_its_index()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new()
        {
            ["Ingest:AllowUnauthenticated"] = "true",
            ["Segment:WebhookTokens:0"] = new string('t', 40),
            ["Segment:WebhookTokens:1"] = "short-webhook-token",
        }));

        Assert.Contains("Segment:WebhookTokens:1 is shorter than 32 characters", failure.Message);
        Assert.DoesNotContain("Segment:WebhookTokens:0", failure.Message);
        Assert.DoesNotContain("short-webhook-token", failure.Message);
    }
}
