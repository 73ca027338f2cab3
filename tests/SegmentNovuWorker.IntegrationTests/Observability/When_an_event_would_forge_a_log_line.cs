using System.Net;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Observability;

/// <summary>
/// The plain-text log format writes what an event says with its control characters escaped: a newline in a field the
/// ingest quotes cannot start a line that looks like one of the service's own.
/// </summary>
public sealed class When_an_event_would_forge_a_log_line : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_log_it_on_its_own_line_escaped()
    {
        var settings = new Dictionary<string, string?>(_stack.Settings) { ["Logging:Console:FormatterName"] = "simple" };
        var (ingest, url) = await IngestProcess.StartAsync(settings);
        using (ingest)
        {
            using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
            // An unknown type is quoted in the reason the ingest logs when it sets the event aside.
            var forged = """{"type":"x\nfail: SegmentNovuWorker.Forged[0]\n      all is well","userId":"u-1"}""";
            using var response = await client.SendAsync(Webhook($$"""[{"type":"track","userId":"u-1","event":"E"},{{forged}}]"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            await SegmentNovuStack.WaitUntilAsync(() => ingest.Output.Any(l => l.Contains("Unsupported event type", StringComparison.Ordinal)),
                "the ingest logged the event it set aside");
            Assert.DoesNotContain(ingest.Output, line => line.TrimStart().StartsWith("fail: SegmentNovuWorker.Forged", StringComparison.Ordinal));
            Assert.Contains(ingest.Output, line => line.Contains(@"x\u000afail: SegmentNovuWorker.Forged[0]\u000a", StringComparison.Ordinal));
        }
    }
}
