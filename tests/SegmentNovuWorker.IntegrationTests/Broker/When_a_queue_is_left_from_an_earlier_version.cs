using RabbitMQ.Client;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker;

namespace SegmentNovuWorker.IntegrationTests.Broker;

/// <summary>
/// A broker that still has a queue as an earlier version declared it (a classic partition queue, a classic
/// <c>_error</c> queue) cannot take this version's quorum declaration: the process refuses to start and says which queue
/// and where the upgrade steps are, instead of retrying its endpoints forever on 406 PRECONDITION_FAILED.
/// </summary>
public sealed class When_a_queue_is_left_from_an_earlier_version
{
    static async Task<(RabbitMqBroker Broker, Uri VirtualHost)> BrokerWithClassicQueueAsync(string queue, IDictionary<string, object?>? arguments = null)
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        var connection = await new ConnectionFactory { Uri = vhost }.CreateConnectionAsync();
        await using (connection)
        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
        return (broker, vhost);
    }

    static Dictionary<string, string?> Settings(Uri vhost) => new()
    {
        ["ConnectionStrings:RabbitMq"] = vhost.ToString(),
        ["Novu:ApiKey"] = "k",
        ["Ingest:AllowUnauthenticated"] = "true",
        ["Admin:Urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "None",
    };

    /// <summary>Starts the process against a broker holding <paramref name="queue"/> as a classic queue; its refusal.</summary>
    static async Task<string> RefusalAsync(Func<string[], Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>, Microsoft.AspNetCore.Builder.WebApplication> create,
        string project, string queue, IDictionary<string, object?>? arguments = null)
    {
        var (broker, vhost) = await BrokerWithClassicQueueAsync(queue, arguments);
        try
        {
            return (await Assert.ThrowsAsync<QueueMismatchException>(() => LoopbackHost.StartAsync(create, project, Settings(vhost)))).Message;
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Should_refuse_to_start_the_worker_naming_the_classic_error_queue_and_the_upgrade_steps()
    {
        var queue = SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(3));

        var message = await RefusalAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker", queue);

        Assert.Contains($"'{queue}'", message);
        Assert.Contains("inequivalent arg", message); // which one RabbitMQ names first varies: the type, the bound
        Assert.Contains("docs/operations.md", message);
    }

    [Fact]
    public async Task Should_refuse_to_start_the_worker_naming_an_error_queue_declared_before_its_bound()
    {
        var queue = SegmentQueues.ErrorQueueOf(SegmentQueues.PartitionQueue(3));
        var unbounded = new Dictionary<string, object?> { [QueueArguments.QueueType] = "quorum", [QueueArguments.DeliveryLimitArgument] = QueueArguments.Unlimited };

        var message = await RefusalAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker", queue, unbounded);

        Assert.Contains($"'{queue}'", message);
        Assert.Contains("x-max-length", message);
        Assert.Contains("docs/operations.md", message);
    }

    [Fact]
    public async Task Should_refuse_to_start_the_ingest_naming_the_classic_partition_queue()
    {
        var queue = SegmentQueues.PartitionQueue(0);

        var message = await RefusalAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest", queue);

        Assert.Contains($"'{queue}'", message);
        Assert.Contains("Upgrading to quorum queues", message);
    }
}
