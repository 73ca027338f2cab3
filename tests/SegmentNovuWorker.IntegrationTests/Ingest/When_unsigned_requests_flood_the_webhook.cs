using System.Diagnostics;
using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using Xunit.Abstractions;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Authentication comes before rate limiting: requests that fail it spend a small budget per client address, and
/// Segment's signed requests spend their own. So a flood from the same address (one proxy in front of both) costs
/// Segment nothing.
/// </summary>
public sealed class When_unsigned_requests_flood_the_webhook(ITestOutputHelper output) : IAsyncLifetime
{
    const string Secret = "segment-shared-secret";
    const int Flood = 2000;
    SegmentNovuStack _stack = null!;

    // A 30 s window holds the whole flood, however slow the machine: with one bucket per address, as before, the
    // flood would have used up all 500 of Segment's requests.
    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:SharedSecret"] = Secret,
        ["Segment:WriteKeys:0"] = "server-key",
        ["Ingest:AllowUnauthenticated"] = "false",
        ["Ingest:RateLimit:Window"] = "00:00:30",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_never_answer_429_to_a_signed_request()
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        using var client = new HttpClient(handler) { BaseAddress = _stack.IngestUrl, Timeout = TimeSpan.FromSeconds(60) };
        var body = Samples.Read("track");
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();

        var clock = Stopwatch.StartNew();
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, Flood), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            using var response = await client.SendAsync(Webhook(body, i % 2 == 0 ? null : Signature("guessed-secret", body)), ct);
            statuses.Add(response.StatusCode);
        });
        // Segment's requests on connections of their own, as they would be: the flood's do not queue them.
        using var segment = _stack.CreateIngestClient();
        var signed = new List<HttpStatusCode>();
        while (!flood.IsCompleted)
        {
            using var response = await segment.SendAsync(Webhook(body, Signature(Secret, body)));
            signed.Add(response.StatusCode);
        }
        await flood;
        var elapsed = clock.Elapsed;
        using (var after = await segment.SendAsync(Webhook(body, Signature(Secret, body))))
            signed.Add(after.StatusCode);

        output.WriteLine($"{Flood} unsigned requests in {elapsed.TotalMilliseconds:0} ms ({Flood / elapsed.TotalSeconds:0}/s); " +
            $"{statuses.Count(s => s == HttpStatusCode.Unauthorized)} x 401, {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} x 429; " +
            $"{signed.Count} signed requests meanwhile, all {string.Join(",", signed.Distinct())}");
        Assert.All(signed, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(Flood - 20, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal((uint)signed.Count, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }
}

/// <summary><c>X-Forwarded-For</c> decides the client address only from a proxy listed in <c>Ingest:KnownProxies</c>.</summary>
public sealed class When_a_request_says_it_was_forwarded
{
    static async Task<List<HttpStatusCode>> UnsignedFromThreeAddressesAsync(string? knownProxy)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Segment:SharedSecret"] = "s",
            ["Segment:WriteKeys:0"] = "k",
            ["Ingest:RateLimit:UnauthenticatedPermitLimit"] = "2",
            ["Ingest:RateLimit:Window"] = "00:01:00",
        };
        if (knownProxy is not null)
            settings["Ingest:KnownProxies:0"] = knownProxy;
        await using var stack = await SegmentNovuStack.StartAsync(settings, startWorker: false);
        using var client = stack.CreateIngestClient();
        var statuses = new List<HttpStatusCode>();
        foreach (var address in new[] { "203.0.113.1", "203.0.113.2", "203.0.113.3" })
        {
            using var request = Webhook(Samples.Read("track"));
            request.Headers.Add("X-Forwarded-For", address);
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task Should_ignore_the_header_without_a_known_proxy() =>
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            await UnsignedFromThreeAddressesAsync(knownProxy: null));

    [Fact]
    public async Task Should_count_each_forwarded_address_behind_a_known_proxy() =>
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized],
            await UnsignedFromThreeAddressesAsync(knownProxy: "127.0.0.1"));
}
