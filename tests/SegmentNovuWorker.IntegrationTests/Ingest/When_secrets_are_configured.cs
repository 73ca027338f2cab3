using System.Net;
using Microsoft.Extensions.Logging;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>No shared secret, write key or Authorization header reaches a log line, at any level, whatever is sent.</summary>
public sealed class When_secrets_are_configured
{
    const string SharedSecret = "shared-secret-5f1c9e";
    const string WriteKey = "write-key-8d2a71";
    const string WrongKey = "wrong-key-c4b0e3";

    [Fact]
    public async Task Should_keep_them_out_of_every_log_line()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var rabbitMq = await broker.CreateVirtualHostAsync();
        var logs = new CapturedLogs();
        var (app, url) = await LoopbackHost.StartAsync(
            (args, configure) => IngestApplication.Create(args, builder =>
            {
                configure(builder);
                builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
            }),
            "SegmentNovuWorker.Ingest",
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
                ["Segment:SharedSecret"] = SharedSecret,
                ["Segment:WriteKeys:0"] = WriteKey,
                ["Logging:LogLevel:Default"] = "Trace",
            });
        try
        {
            using var client = new HttpClient { BaseAddress = url };
            var body = Samples.Read("track");
            var statuses = new List<HttpStatusCode>();
            foreach (var request in new[]
            {
                Webhook(body, Signature(SharedSecret, body)),
                Webhook(body, Signature(WrongKey, body)),
                Tracking("/v1/track", """{"userId":"u-1","event":"E"}""", WriteKey),
                Tracking("/v1/track", """{"userId":"u-1","event":"E"}""", WrongKey),
                Tracking("/v1/batch", $$"""{"writeKey":"{{WrongKey}}","batch":[{"userId":"u-1"}]}""", null),
                Tracking("/v1/batch", $$"""{"writeKey":"{{WriteKey}}","batch":[{"type":"track","userId":"u-1","event":"E"},{"type":"x"}]}""", null),
            })
            {
                using (request)
                using (var response = await client.SendAsync(request))
                    statuses.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized,
                HttpStatusCode.Unauthorized, HttpStatusCode.OK], statuses);
            // The capture sees the ingest's own lines about these very requests, so their absence below means something.
            Assert.Contains(logs.Lines, line => line.Contains("Set aside event 1 of a tracking-api batch", StringComparison.Ordinal));
            var base64Key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(WriteKey + ":"));
            foreach (var secret in new[] { SharedSecret, WriteKey, WrongKey, base64Key })
                Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await broker.DeleteVirtualHostAsync(rabbitMq);
        }
    }
}
