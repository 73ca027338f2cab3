using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SegmentNovuWorker.Admin;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>No shared secret, webhook token, write key, admin key or Authorization header reaches a log line, at any level, whatever is sent.</summary>
public sealed class When_secrets_are_configured
{
    const string SharedSecret = "shared-secret-5f1c9e";
    const string WriteKey = "write-key-8d2a71";
    const string WrongKey = "wrong-key-c4b0e3";
    const string ClientKey = "client-key-9e0f42";
    const string AdminKey = "admin-key-3f7d1c0a9b8e7d6c5b4a3f2e1d0c9b8a";
    const string WrongAdminKey = "wrong-admin-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    const string WebhookToken = "webhook-token-6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";
    const string WrongWebhookToken = "wrong-webhook-token-9f8e7d6c5b4a3f2e1d0c9b8a7f6e";

    [Fact]
    public async Task Should_keep_them_out_of_every_log_line()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var rabbitMq = await broker.CreateVirtualHostAsync();
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
            ["Segment:SharedSecret"] = SharedSecret,
            ["Segment:WebhookTokens:0"] = WebhookToken,
            ["Segment:WriteKeys:0"] = WriteKey,
            ["Segment:ClientWriteKeys:0"] = ClientKey,
            ["Admin:ApiKey"] = AdminKey,
            ["Admin:JobsPath"] = Path.Combine(Path.GetTempPath(), "snw-admin-jobs-" + Guid.NewGuid().ToString("N")),
            ["Logging:LogLevel:Default"] = "Trace",
        };
        Func<string[], Action<WebApplicationBuilder>, WebApplication> Captured(Func<string[], Action<WebApplicationBuilder>, WebApplication> create) =>
            (args, configure) => create(args, builder =>
            {
                configure(builder);
                builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
            });
        var (app, url) = await LoopbackHost.StartAsync(Captured(IngestApplication.Create), "SegmentNovuWorker.Ingest", settings);
        var (adminApp, adminUrl) = await LoopbackHost.StartAsync(Captured(AdminApplication.Create), "SegmentNovuWorker.Admin", settings);
        try
        {
            using var client = new HttpClient { BaseAddress = url };
            var body = Samples.Read("track");
            var statuses = new List<HttpStatusCode>();
            foreach (var request in new[]
            {
                Webhook(body, Signature(SharedSecret, body)),
                Webhook(body, Signature(WrongKey, body)),
                WithToken(Webhook(body), WebhookToken),
                WithToken(Webhook(body, Signature(SharedSecret, body)), WrongWebhookToken),
                Tracking("/v1/track", """{"userId":"u-1","event":"E"}""", WriteKey),
                Tracking("/v1/track", """{"userId":"u-1","event":"E"}""", WrongKey),
                Tracking("/v1/batch", $$"""{"writeKey":"{{WrongKey}}","batch":[{"userId":"u-1"}]}""", null),
                Tracking("/v1/batch", $$"""{"writeKey":"{{WriteKey}}","batch":[{"type":"track","userId":"u-1","event":"E"},{"type":"x"}]}""", null),
                Tracking("/v1/batch", """{"batch":[{"type":"delete","userId":"u-1"}]}""", ClientKey),
            })
            {
                using (request)
                using (var response = await client.SendAsync(request))
                    statuses.Add(response.StatusCode);
            }

            using var admin = new HttpClient { BaseAddress = adminUrl };
            foreach (var (key, path) in new[] { (WrongAdminKey, "/admin/dlq/purge?all=true&yes=true"), (AdminKey, "/admin/dlq/purge?all=true&yes=true") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path);
                request.Headers.Add("X-Admin-Key", key);
                using var response = await admin.SendAsync(request);
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized,
                HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK], statuses);
            // The capture sees the ingest's own lines about these very requests, so their absence below means something.
            Assert.Contains(logs.Lines, line => line.Contains("Set aside event 1 of a tracking-api batch", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, line => line.Contains("Refused a webhook from 127.0.0.1 with 401 (Invalid token)", StringComparison.Ordinal));
            // Failed admin attempts are logged, and destructive calls with who and what.
            Assert.Contains(logs.Lines, line => line.Contains("Refused an admin call to POST /admin/dlq/purge from 127.0.0.1: wrong key", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, line => line.Contains("Admin purge by admin from 127.0.0.1: filter", StringComparison.Ordinal));
            var base64Key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(WriteKey + ":"));
            foreach (var secret in new[] { SharedSecret, WriteKey, WrongKey, ClientKey, base64Key, AdminKey, WrongAdminKey, WebhookToken, WrongWebhookToken })
                Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
        finally
        {
            await adminApp.StopAsync();
            await adminApp.DisposeAsync();
            await app.StopAsync();
            await app.DisposeAsync();
            await broker.DeleteVirtualHostAsync(rabbitMq);
        }
    }

    static HttpRequestMessage WithToken(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
