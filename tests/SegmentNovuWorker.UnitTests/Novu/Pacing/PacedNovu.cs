using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.UnitTests.NovuStandIn;

namespace SegmentNovuWorker.UnitTests.Novu.Pacing;

/// <summary>A <see cref="NovuClient"/> wired as the worker wires it (<c>AddNovuClient</c>), against a stand-in: one worker's view of Novu.</summary>
sealed class PacedNovu : IDisposable
{
    readonly ServiceProvider _services;

    PacedNovu(ServiceProvider services) => _services = services;

    public NovuClient Client => _services.GetRequiredService<NovuClient>();

    public NovuPacer Pacer => _services.GetRequiredService<NovuPacer>();

    public NovuPaceSnapshot Pace(NovuRateCategory category) => Pacer.Snapshot().Single(s => s.Category == category);

    public static PacedNovu For(StandIn standIn, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Novu:BaseUrl"] = standIn.Client.BaseAddress!.ToString(),
            ["Novu:ApiKey"] = standIn.Client.DefaultRequestHeaders.Authorization!.Parameter,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddNovuClient();
        return new PacedNovu(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    /// <summary>Triggers <paramref name="count"/> workflows, <paramref name="parallel"/> at a time, each with its own transactionId.</summary>
    public Task TriggerAsync(string run, int count, int parallel = 32, CancellationToken cancellationToken = default) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, ct) => await Client.TriggerAsync(new TriggerRequest("w", new JsonObject { ["subscriberId"] = "u" }, [], $"{run}-{i}"),
                $"key-{run}-{i}", ct));

    public void Dispose() => _services.Dispose();
}
