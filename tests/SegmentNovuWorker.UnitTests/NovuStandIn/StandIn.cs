using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.NovuStandIn;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>The Novu stand-in on its own loopback port, with a client that carries its API key. No broker.</summary>
sealed class StandIn : IAsyncDisposable
{
    const string ApiKey = "stand-in-spec-key";

    readonly WebApplication _app;

    StandIn(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new("ApiKey", ApiKey);
    }

    public HttpClient Client { get; }

    public StandInState State => _app.Services.GetRequiredService<StandInState>();

    /// <param name="clock">The stand-in's clock (its route delays, rate-limit buckets, idempotency windows); the system's when null.</param>
    public static async Task<StandIn> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["StandIn:ApiKey"] = ApiKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var (app, address) = await LoopbackHost.StartAsync(NovuStandInApp.Create, "SegmentNovuWorker.NovuStandIn", all,
            builder => { if (clock is not null) builder.Services.AddSingleton(clock); });
        return new StandIn(app, address);
    }

    /// <summary>Sends JSON and returns the status and the parsed answer.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(int Status, JsonNode? Body)> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public async Task<JsonNode?> GetAsync(string path) => await Client.GetFromJsonAsync<JsonNode>(path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
