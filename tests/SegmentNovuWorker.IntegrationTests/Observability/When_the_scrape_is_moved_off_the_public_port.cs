using System.Net;
using System.Net.Sockets;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Observability;

/// <summary>
/// <c>Ingest:ManagementUrl</c>: the scrape and the readiness probe answer on their own port only, so the public port that
/// Segment and the internet reach shows neither the service's metrics nor its broker's state.
/// </summary>
public sealed class When_the_scrape_is_moved_off_the_public_port : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;
    Uri _management = null!;

    public async Task InitializeAsync()
    {
        using (var free = new TcpListener(IPAddress.Loopback, 0))
        {
            free.Start();
            _management = new Uri($"http://127.0.0.1:{((IPEndPoint)free.LocalEndpoint).Port}");
        }
        _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?> { ["Ingest:ManagementUrl"] = _management.ToString() }, startWorker: false);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static async Task<HttpStatusCode> StatusAsync(Uri at, string path, HttpMethod? method = null)
    {
        using var client = new HttpClient { BaseAddress = at, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, path));
        return response.StatusCode;
    }

    [Fact]
    public async Task Should_answer_the_scrape_and_readiness_on_the_management_port_only()
    {
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_stack.IngestUrl, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_stack.IngestUrl, "/health/ready"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_stack.IngestUrl, "/health/live"));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_management, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_management, "/health/live"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_management, "/webhooks/segment", HttpMethod.Post));
    }
}
