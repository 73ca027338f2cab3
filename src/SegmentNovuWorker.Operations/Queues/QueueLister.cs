using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.Queues;

/// <summary>
/// Lists every <c>segment-*</c> queue of the virtual host with ready, unacked and consumer counts.
/// </summary>
/// <remarks>
/// This uses RabbitMQ's management HTTP API rather than AMQP because AMQP cannot list queues (only ask about a
/// queue by name, and the wait queues' names depend on the worker's redelivery delays) and cannot tell unacked
/// counts. The management API's counts are sampled every few seconds, so they may lag a moment behind.
/// </remarks>
public sealed class QueueLister(BrokerSettings settings, HttpClient http)
{
    public async Task<IReadOnlyList<QueueStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var vhost = Uri.EscapeDataString(settings.VirtualHost);
        var consumers = ActiveConsumers(await GetAsync($"api/consumers/{vhost}", cancellationToken),
            await GetAsync($"api/vhosts/{vhost}/connections", cancellationToken));
        using var queues = await GetAsync($"api/queues/{vhost}?columns=name,messages_ready,messages_unacknowledged,consumers", cancellationToken);
        return [.. queues.RootElement.EnumerateArray()
            .Select(q => (Name: q.GetProperty("name").GetString()!, Counts: q))
            .Where(q => q.Name.StartsWith(SegmentQueues.Prefix, StringComparison.Ordinal))
            .Select(q => new QueueStatus(q.Name, KindOf(q.Name),
                Number(q.Counts, "messages_ready"), Number(q.Counts, "messages_unacknowledged"), Number(q.Counts, "consumers"),
                SegmentQueues.PartitionOf(q.Name),
                consumers.GetValueOrDefault(q.Name)))
            .OrderBy(q => q.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Queue → the client-given name of its active consumer's connection (<c>active</c> is false for a single-active-consumer
    /// standby; a consumer names its connection by the broker's name, the client's own name is on the connection).
    /// </summary>
    static Dictionary<string, string> ActiveConsumers(JsonDocument consumers, JsonDocument connections)
    {
        using (consumers)
        using (connections)
        {
            var clientNames = connections.RootElement.EnumerateArray().ToDictionary(
                c => c.GetProperty("name").GetString() ?? "",
                c => c.TryGetProperty("user_provided_name", out var n) && n.GetString() is { Length: > 0 } given ? given : null);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var consumer in consumers.RootElement.EnumerateArray())
            {
                if (consumer.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.False)
                    continue;
                var queue = consumer.GetProperty("queue").GetProperty("name").GetString()!;
                var connection = consumer.TryGetProperty("channel_details", out var channel) && channel.ValueKind == JsonValueKind.Object
                    && channel.TryGetProperty("connection_name", out var name)
                    ? clientNames.GetValueOrDefault(name.GetString() ?? "") ?? name.GetString() ?? "?"
                    : "?";
                result[queue] = result.TryGetValue(queue, out var other) ? other + ", " + connection : connection;
            }
            return result;
        }
    }

    async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        var url = new Uri(settings.Management, path);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.User}:{settings.Password}")));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new OperatorException(ExitCodes.BrokerUnavailable,
                $"RabbitMQ's management API at {settings.Management} is not reachable. 'queues' needs it: enable the " +
                $"rabbitmq_management plugin, or set {BrokerSettings.ManagementUrlKey} (--management-url) to where it listens. The dlq commands work without it.", ex);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new OperatorException(ExitCodes.BrokerUnavailable,
                    $"RabbitMQ's management API at {settings.Management} refused user '{settings.User}': check the credentials in ConnectionStrings:RabbitMq, and that the user has the 'management' tag.");
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new OperatorException(ExitCodes.BrokerUnavailable,
                    $"RabbitMQ at {settings.Management} has no virtual host '{settings.VirtualHost}': check the path of ConnectionStrings:RabbitMq.");
            if (!response.IsSuccessStatusCode)
                throw new OperatorException(ExitCodes.BrokerUnavailable,
                    $"RabbitMQ's management API at {settings.Management} answered {(int)response.StatusCode} {response.ReasonPhrase}.");

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
    }

    static long Number(JsonElement queue, string name) =>
        queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    static string KindOf(string name) => name switch
    {
        _ when SegmentQueues.IsErrorQueue(name) => "error",
        _ when SegmentQueues.IsSkippedQueue(name) => "skipped",
        _ when SegmentQueues.IsWaitQueue(name) => "wait",
        _ when SegmentQueues.IsHoldQueue(name) => "hold",
        _ when SegmentQueues.IsHoldRegistry(name) => "hold-registry",
        SegmentQueues.Workers => "workers",
        SegmentQueues.Rejected => "rejected",
        SegmentQueues.DeliveryLog or SegmentQueues.FirstElementTickets => "stream",
        _ when SegmentQueues.PartitionOf(name) is not null => "partition",
        _ => "other",
    };
}
