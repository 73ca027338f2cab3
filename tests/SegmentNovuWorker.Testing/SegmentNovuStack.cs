using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Admin;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.NovuStandIn;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Worker;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// The whole service as a user runs it: the Novu stand-in, the worker, the ingest API and (given an admin key) the
/// admin process, each on its own loopback port, talking through a fresh virtual host of the real test broker.
/// </summary>
public sealed class SegmentNovuStack : IAsyncDisposable
{
    public const string NovuApiKey = "test-novu-key";

    SegmentNovuStack(RabbitMqBroker broker, Uri rabbitMq, Dictionary<string, string?> settings)
    {
        Broker = broker;
        RabbitMq = rabbitMq;
        Settings = settings;
    }

    Action<WebApplicationBuilder>? _configureWorker;

    public RabbitMqBroker Broker { get; }

    /// <summary>ConnectionStrings:RabbitMq of this stack (its own virtual host).</summary>
    public Uri RabbitMq { get; }

    public Dictionary<string, string?> Settings { get; }
    public WebApplication? StandInApp { get; private set; }
    public WebApplication? WorkerApp { get; private set; }
    public WebApplication? IngestApp { get; private set; }
    public WebApplication? AdminApp { get; private set; }
    public Uri NovuUrl { get; private set; } = null!;
    public Uri IngestUrl { get; private set; } = null!;
    public Uri WorkerUrl { get; private set; } = null!;

    /// <summary>What the Novu stand-in received and did.</summary>
    public StandInState Novu => StandInApp!.Services.GetRequiredService<StandInState>();

    /// <summary>An HTTP client for the ingest API.</summary>
    public HttpClient CreateIngestClient() => new() { BaseAddress = IngestUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Where the admin process (admin API and console) listens; null when no admin key is configured.</summary>
    public Uri? AdminUrl { get; private set; }

    /// <summary>An HTTP client for the admin API.</summary>
    public HttpClient CreateAdminClient() =>
        new() { BaseAddress = AdminUrl ?? throw new InvalidOperationException("No admin API: set Admin:ApiKey."), Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="settings">Configuration for the worker and ingest API, over the defaults this stack sets.</param>
    /// <param name="startWorker">False to start only the stand-in and the ingest API (events then wait in their queues).</param>
    /// <param name="broker">The broker to use; the test process's shared one when null.</param>
    /// <param name="configureIngest">More services for the ingest API's host, after its own.</param>
    /// <param name="configureWorker">More services for the worker's host, after its own (kept for a restarted worker).</param>
    public static async Task<SegmentNovuStack> StartAsync(IDictionary<string, string?>? settings = null, bool startWorker = true,
        Action<WebApplicationBuilder>? configureIngest = null, Action<WebApplicationBuilder>? configureWorker = null, RabbitMqBroker? broker = null)
    {
        broker ??= await RabbitMqBroker.GetAsync();
        var rabbitMq = await broker.CreateVirtualHostAsync();
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
            ["Novu:ApiKey"] = NovuApiKey,
            ["Novu:Workflows:User Registered"] = "welcome",
            ["StandIn:ApiKey"] = NovuApiKey,
            // The sandbox is a local trial: open front doors unless a test sets credentials.
            ["Ingest:AllowUnauthenticated"] = "true",
            ["Admin:JobsPath"] = Path.Combine(Path.GetTempPath(), "snw-admin-jobs-" + Guid.NewGuid().ToString("N")),
            ["Admin:DeliveryLogIndexPath"] = Path.Combine(Path.GetTempPath(), "snw-admin-delivery-log-" + Guid.NewGuid().ToString("N"), "index.db"),
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("SNW_TEST_LOG_LEVEL") ?? "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;

        var stack = new SegmentNovuStack(broker, rabbitMq, all) { _configureWorker = configureWorker };
        (stack.StandInApp, stack.NovuUrl) = await LoopbackHost.StartAsync(NovuStandInApp.Create, "SegmentNovuWorker.NovuStandIn", all);
        all.TryAdd("Novu:BaseUrl", stack.NovuUrl.ToString());
        if (startWorker)
            await stack.StartWorkerAsync();
        (stack.IngestApp, stack.IngestUrl) = await LoopbackHost.StartAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest", all, configureIngest);
        if (all.ContainsKey("Admin:ApiKey") || all.Keys.Any(k => k.StartsWith("Admin:ApiKeys:", StringComparison.Ordinal)))
            await stack.StartAdminAsync();
        return stack;
    }

    /// <summary>Starts the admin process (again, after <see cref="StopAdminAsync"/>), as a restarted process would: same settings, same jobs folder.</summary>
    public async Task StartAdminAsync()
    {
        (AdminApp, var url) = await LoopbackHost.StartAsync(AdminApplication.Create, "SegmentNovuWorker.Admin", Settings);
        AdminUrl = url;
    }

    public async Task StopAdminAsync()
    {
        if (AdminApp is null)
            return;
        await AdminApp.StopAsync();
        await AdminApp.DisposeAsync();
        AdminApp = null;
    }

    /// <summary>
    /// Starts the worker (again, after <see cref="StopWorkerAsync"/>), as a restarted process would, and waits until it
    /// consumes every partition, as an orchestrator waits for <c>/health/ready</c> (the bus starts in the background).
    /// </summary>
    public async Task StartWorkerAsync()
    {
        (WorkerApp, WorkerUrl) = await LoopbackHost.StartAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker", Settings, _configureWorker);
        using var client = new HttpClient { BaseAddress = WorkerUrl, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await ConsumesEveryPartitionAsync(client))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The worker did not consume every partition within 60 s of its start.");
            await Task.Delay(100);
        }
    }

    static async Task<bool> ConsumesEveryPartitionAsync(HttpClient worker)
    {
        try
        {
            using var response = await worker.GetAsync("/health/ready");
            var report = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return report?["checks"]?.AsArray().Any(c => c?["name"]?.GetValue<string>() == "consumption" && c["status"]?.GetValue<string>() == "Healthy") == true;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    public async Task StopWorkerAsync()
    {
        if (WorkerApp is null)
            return;
        await WorkerApp.StopAsync();
        await WorkerApp.DisposeAsync();
        WorkerApp = null;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails the test with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { AdminApp, IngestApp, WorkerApp, StandInApp })
        {
            if (app is null)
                continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Broker.DeleteVirtualHostAsync(RabbitMq);
    }
}
