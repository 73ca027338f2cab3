using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using SegmentNovuWorker.Testing;

/// <summary>
/// <c>dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- actions-batch [runs]</c>: runs the ingest API as its
/// own process (its build output), posts Segment's largest Actions batch (4000 analytics.js events of about 1 KB) to the
/// webhook several times, and prints each answer time and the process's peak resident memory (VmHWM), so the numbers are
/// the ingest's alone.
/// </summary>
static class ActionsBatchMeasurement
{
    public static async Task RunAsync(int runs)
    {
        var broker = await RabbitMqBroker.GetAsync();
        var rabbitMq = await broker.CreateVirtualHostAsync();
        var port = FreePort();
        var configuration = typeof(ActionsBatchMeasurement).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", "SegmentNovuWorker.Ingest", "bin", configuration, "net10.0", "SegmentNovuWorker.Ingest.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__RabbitMq"] = rabbitMq.ToString();
        start.Environment["Ingest__AllowUnauthenticated"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var ingest = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        ingest.OutputDataReceived += (_, _) => { };
        ingest.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        ingest.BeginOutputReadLine();
        ingest.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await SegmentNovuStack.WaitUntilAsync(() => Ready(client), "the ingest API is ready", TimeSpan.FromSeconds(60));
            Console.WriteLine($"ingest pid {ingest.Id}; idle: {Memory(ingest.Id)}");
            for (var run = 1; run <= runs; run++)
            {
                var body = ActionsBatch.Body(run: $"run{run}");
                var clock = Stopwatch.StartNew();
                using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"));
                var elapsed = clock.Elapsed;
                Console.WriteLine($"run {run}: {ActionsBatch.LargestBatch} events, {Encoding.UTF8.GetByteCount(body) / 1024.0 / 1024.0:0.00} MiB, " +
                    $"answered {(int)response.StatusCode} in {elapsed.TotalMilliseconds:0} ms; {Memory(ingest.Id)}");
            }
        }
        finally
        {
            ingest.Kill(entireProcessTree: true);
            await ingest.WaitForExitAsync();
        }
    }

    static bool Ready(HttpClient client)
    {
        try
        {
            using var response = client.GetAsync("/health/ready").GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Current (VmRSS) and peak (VmHWM) resident memory, from /proc.</summary>
    static string Memory(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        string Field(string name) => lines.First(l => l.StartsWith(name, StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        return $"RSS {Field("VmRSS")}, peak RSS {Field("VmHWM")}";
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
