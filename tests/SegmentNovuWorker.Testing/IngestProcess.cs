using System.Net;
using System.Net.Sockets;

namespace SegmentNovuWorker.Testing;

/// <summary>The ingest API as a separate process, for tests of what would end the process (a crash must not take the test run with it).</summary>
public static class IngestProcess
{
    /// <param name="settings">Configuration (<c>Section:Key</c>), passed in the environment: it holds secrets.</param>
    /// <param name="environment">More environment variables, e.g. the runtime's own (<c>DOTNET_…</c>).</param>
    /// <returns>The process and its base address, once it answers <c>/health/live</c>.</returns>
    public static async Task<(BuiltProcess Process, Uri Url)> StartAsync(IReadOnlyDictionary<string, string?> settings,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var variables = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        variables["ASPNETCORE_URLS"] = url.ToString();
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            variables[name] = value;
        var process = BuiltProcess.Start("SegmentNovuWorker.Ingest", "SegmentNovuWorker.Ingest.dll", variables);

        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException("The ingest exited at start: " + string.Join(Environment.NewLine, process.Output));
            try
            {
                using var live = await client.GetAsync("/health/live");
                if (live.IsSuccessStatusCode)
                    return (process, url);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                process.Dispose();
                throw new TimeoutException("The ingest did not answer /health/live within 60 s of its start.");
            }
            await Task.Delay(100);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
