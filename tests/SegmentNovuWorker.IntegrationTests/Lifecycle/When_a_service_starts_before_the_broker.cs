using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.NovuStandIn;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker;

namespace SegmentNovuWorker.IntegrationTests.Lifecycle;

/// <summary>
/// Started while the broker is not up yet (a cluster restart, the pods in any order): the service is alive but not
/// ready, keeps trying, and works once the broker answers, without the process failing (which would be a crash loop).
/// </summary>
public sealed class When_a_service_starts_before_the_broker : IAsyncLifetime
{
    RabbitMqBroker _broker = null!;
    Uri _virtualHost = null!;
    TcpRelay _relay = null!;

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqBroker.GetAsync();
        _virtualHost = await _broker.CreateVirtualHostAsync();
        _relay = new TcpRelay(new IPEndPoint(IPAddress.Loopback, _virtualHost.Port));
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _broker.DeleteVirtualHostAsync(_virtualHost);
    }

    /// <summary>The virtual host's address through the relay: nothing answers there until the relay starts.</summary>
    Dictionary<string, string?> Settings(string? novuUrl = null) => new()
    {
        ["ConnectionStrings:RabbitMq"] = new UriBuilder(_virtualHost) { Port = _relay.Port }.Uri.ToString(),
        ["Ingest:AllowUnauthenticated"] = "true",
        ["Admin:Urls"] = "http://127.0.0.1:0",
        ["Novu:ApiKey"] = SegmentNovuStack.NovuApiKey,
        ["StandIn:ApiKey"] = SegmentNovuStack.NovuApiKey,
        ["Novu:BaseUrl"] = novuUrl ?? "http://127.0.0.1:1/",
        ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("SNW_TEST_LOG_LEVEL") ?? "None",
    };

    [Fact]
    public async Task Should_keep_the_api_alive_but_not_ready_and_accept_events_once_the_broker_is_up()
    {
        var (app, url) = await LoopbackHost.StartAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest", Settings());
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        using (var refused = await http.PostAsync("/webhooks/segment", Identify()))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        await _relay.StartAsync();

        // MassTransit retries the connection with a back-off of a few seconds; a minute is room for a loaded machine.
        await SegmentNovuStack.WaitUntilAsync(() => http.GetAsync("/health/ready").Result.StatusCode == HttpStatusCode.OK,
            "the API is ready once the broker answers", TimeSpan.FromMinutes(1));
        using var accepted = await http.PostAsync("/webhooks/segment", Identify());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Should_keep_the_worker_alive_but_not_ready_and_consume_once_the_broker_is_up()
    {
        var (standIn, novu) = await LoopbackHost.StartAsync(NovuStandInApp.Create, "SegmentNovuWorker.NovuStandIn", Settings());
        await using var __ = standIn;
        var port = new TcpRelay(new IPEndPoint(IPAddress.Loopback, 1)).Port; // a free port for the worker's health endpoints
        var settings = Settings(novu.ToString());
        settings["urls"] = $"http://127.0.0.1:{port}";
        var starting = LoopbackHost.StartAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker", settings);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        // Alive (the liveness probe must not restart it) and not ready, for as long as the broker is down.
        await SegmentNovuStack.WaitUntilAsync(() => Answer(http, "/health/live") == HttpStatusCode.OK,
            "the worker answers its liveness probe while the broker is down", TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Answer(http, "/health/ready"));

        await _relay.StartAsync();
        var (worker, _) = await starting;
        await using var ___ = worker;
        await SegmentNovuStack.WaitUntilAsync(() => Answer(http, "/health/ready") == HttpStatusCode.OK,
            "the worker is ready once the broker answers", TimeSpan.FromMinutes(1));
    }

    static HttpStatusCode? Answer(HttpClient http, string path)
    {
        try
        {
            return http.GetAsync(path).Result.StatusCode;
        }
        catch (AggregateException ex) when (ex.InnerException is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    static StringContent Identify() => new(Samples.Read("identify"), Encoding.UTF8, "application/json");
}
