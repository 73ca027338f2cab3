using System.Text.Json;

namespace SegmentNovuWorker.Operations.Workers;

/// <summary>A queue a worker does not consume, and why (<c>novu-outage</c>, <c>broker-connection-lost</c>, <c>paced:&lt;category&gt;</c>, …).</summary>
public sealed record StoppedQueue(string Queue, string Reason);

/// <summary>What one worker's <c>/health/ready</c> said.</summary>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>, or <c>unreachable</c> when it did not answer.</param>
/// <param name="Description">The consumption check's description, or why the worker could not be asked.</param>
/// <param name="Stopped">Queues it does not consume, with the reason; empty when it answers plain text (status only).</param>
public sealed record WorkerConsumption(string Url, string Status, string? Description, IReadOnlyList<StoppedQueue> Stopped);

/// <summary>Asks each worker whether, and why not, it consumes: <c>GET {worker}/health/ready</c>.</summary>
public sealed class WorkerConsumptionReader(HttpClient http)
{
    public async Task<IReadOnlyList<WorkerConsumption>> ReadAsync(IEnumerable<string> workerUrls, CancellationToken cancellationToken) =>
        await Task.WhenAll(workerUrls.Select(url => ReadOneAsync(url, cancellationToken)));

    async Task<WorkerConsumption> ReadOneAsync(string url, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            // Unhealthy answers 503 with the same body: read it whatever the status.
            using var response = await http.GetAsync(new Uri(new Uri(url), "/health/ready"), cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WorkerConsumption(url, "unreachable", ex.Message, []);
        }
        return Parse(url, body);
    }

    /// <summary>
    /// Today's workers answer plain text (<c>Healthy</c>); the re-cut worker answers JSON with a <c>consumption</c> check
    /// whose <c>data</c> maps each stopped queue to its reason. Both are read; plain text gives the status only.
    /// </summary>
    public static WorkerConsumption Parse(string url, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "unknown";
            string? description = null;
            var stopped = new List<StoppedQueue>();
            if (root.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Array)
            {
                foreach (var check in checks.EnumerateArray())
                {
                    if (check.ValueKind != JsonValueKind.Object || !check.TryGetProperty("name", out var name) || name.GetString() != "consumption")
                        continue;
                    if (check.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                        description = d.GetString();
                    if (check.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
                        stopped.AddRange(data.EnumerateObject().Select(p => new StoppedQueue(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())));
                }
            }
            return new WorkerConsumption(url, status, description, [.. stopped.OrderBy(q => q.Queue, StringComparer.Ordinal)]);
        }
        catch (JsonException)
        {
            var text = body.Trim();
            return new WorkerConsumption(url, text.Length is > 0 and <= 40 ? text : "unknown", null, []);
        }
    }
}
