using System.Net;
using System.Net.Sockets;
using SegmentNovuWorker.IntegrationTests.Ordering;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Broker;

/// <summary>
/// <c>RabbitMq:Hosts</c> lists a cluster's nodes: the ingest API and the worker connect to whichever answers, so a node
/// that is down (here the first one listed, a port nothing listens on) does not stop them.
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
    }

    /// <summary>A loopback port that refuses connections: taken, then let go.</summary>
    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
