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
        var url = new Uri(settings.Management,
            $"api/queues/{Uri.EscapeDataString(settings.VirtualHost)}?columns=name,messages_ready,messages_unacknowledged,consumers");
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
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return [.. json.RootElement.EnumerateArray()
                .Select(q => new QueueStatus(
                    q.GetProperty("name").GetString()!,
                    KindOf(q.GetProperty("name").GetString()!),
                    Number(q, "messages_ready"),
                    Number(q, "messages_unacknowledged"),
                    Number(q, "consumers")))
                .Where(q => q.Name.StartsWith(SegmentQueues.Prefix, StringComparison.Ordinal))
                .OrderBy(q => q.Name, StringComparer.Ordinal)];
        }
    }

    static long Number(JsonElement queue, string name) =>
        queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    static string KindOf(string name) => name switch
    {
        _ when SegmentQueues.IsErrorQueue(name) => "error",
        _ when SegmentQueues.IsSkippedQueue(name) => "skipped",
        _ when SegmentQueues.IsWaitQueue(name) => "wait",
        SegmentQueues.Rejected => "rejected",
        _ => "main",
    };
}
