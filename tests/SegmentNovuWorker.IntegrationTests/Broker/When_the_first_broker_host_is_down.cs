using System.Net;
using System.Net.Sockets;
using SegmentNovuWorker.IntegrationTests.Ordering;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Broker;

/// <summary>
/// <c>RabbitMq:Hosts</c> lists a cluster's nodes: the ingest API and the worker connect to whichever answers, so a node
/// that is down (here the first one listed, a port nothing listens on) does not stop them, nor any of the worker's side
/// tasks on its side connection (the depth sampler, the owner of consumption's probe, the balancer's presence). Before one
/// factory made every connection, the sampler and the probe connected to the URI's host alone.
/// </summary>
public sealed class When_the_first_broker_host_is_down
{
    [Fact]
    public async Task Should_connect_to_the_next_host_and_deliver()
    {
        var broker = await RabbitMqBroker.GetAsync();
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["RabbitMq:Hosts:0"] = $"127.0.0.1:{ClosedPort()}",
            ["RabbitMq:Hosts:1"] = $"{broker.Host}:{broker.AmqpPort}",
        });
        using var client = stack.CreateIngestClient();

        await UserFlow.PostAsync(client, UserFlow.Identify("failover-1"));
        await UserFlow.PostAsync(client, UserFlow.Registered("failover-1"));

        await UserFlow.WaitForWelcomesAsync(stack, 1);

        // The balancer announced the worker on the side connection: one consumer on segment-workers, from that connection.
        await SegmentNovuStack.WaitUntilAsync(() => broker.ConsumersAsync(stack.RabbitMq).GetAwaiter().GetResult()
            .Any(c => c.Queue == Messaging.SegmentQueues.Workers && c.Connection.StartsWith("segment-novu-worker-side@", StringComparison.Ordinal)),
            "the worker announced its presence on its side connection", TimeSpan.FromSeconds(60));
        // The depth sampler reads the partitions on the same connection: the worker's scrape shows their consumers.
        using var http = new HttpClient { BaseAddress = stack.WorkerUrl, Timeout = TimeSpan.FromSeconds(30) };
        await SegmentNovuStack.WaitUntilAsync(() => http.GetStringAsync(Messaging.Telemetry.SegmentNovuTelemetry.MetricsPath).GetAwaiter().GetResult()
            .Split('\n').Any(line => line.StartsWith("segmentnovuworker_segment_novu_queue_consumers{", StringComparison.Ordinal)
                && line.Contains("queue=\"segment-events-00\"", StringComparison.Ordinal)
                && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var consumers) && consumers >= 1),
            "the depth sampler saw segment-events-00's consumer", TimeSpan.FromSeconds(60));
        // And the owner of consumption's probe: its broker counts agree, so every partition stays consumed and ready.
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    /// <summary>A loopback port that refuses connections: taken, then let go.</summary>
    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
