using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Messaging;

/// <summary>MassTransit wiring shared by every process that talks to the broker.</summary>
public static class BusConfiguration
{
    /// <summary>Binds and validates <c>ConnectionStrings:RabbitMq</c>.</summary>
    public static IServiceCollection AddRabbitMqOptions(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                var value = configuration.GetConnectionString(RabbitMqOptions.ConnectionStringName);
                if (string.IsNullOrWhiteSpace(value))
                    return;
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq" or "rabbitmqs"))
                    throw new OptionsValidationException(nameof(RabbitMqOptions), typeof(RabbitMqOptions),
                        [$"ConnectionStrings:{RabbitMqOptions.ConnectionStringName} must be an amqp:// URI, e.g. {RabbitMqOptions.DefaultConnectionString}"]);
                options.ConnectionString = uri;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>MassTransit with usage telemetry off: it would call out to the internet.</summary>
    public static IServiceCollection AddSegmentNovuMassTransit(this IServiceCollection services,
        Action<IBusRegistrationConfigurator> configure)
    {
        services.AddRabbitMqOptions();
        services.AddTopologyOptions();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            configure(x);
        });
        return services;
    }

    /// <summary>Connects to the configured broker with publisher confirms on.</summary>
    public static void UseSegmentNovuHost(this IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context, string connectionName)
    {
        var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        // Host and process in the connection name: the operator tool shows which worker consumes which partition.
        cfg.Host(options.ConnectionString, $"{connectionName}@{Environment.MachineName}:{Environment.ProcessId}", h =>
        {
            // A dead host's partitions move to another worker once the broker misses two heartbeats (about 10 s),
            // not after RabbitMQ's default 60 s.
            h.Heartbeat(TimeSpan.FromSeconds(5));
            // Publish/Send complete only once the broker confirmed the message: the ingest API answers 2xx on that.
            h.PublisherConfirmation = true;
            h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
        });
    }

    /// <summary>Binds and validates the <c>Topology</c> section every process must agree on.</summary>
    public static IServiceCollection AddTopologyOptions(this IServiceCollection services)
    {
        services.AddOptions<TopologyOptions>()
            .BindConfiguration(TopologyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Declares every partition queue from the publishing side, and binds it to each Segment call's exchange under its
    /// partition number, so an event published while no worker has ever started is kept in its queue instead of being
    /// dropped by an exchange with no bindings. The call exchanges are direct: the publisher picks the partition.
    /// </summary>
    public static void DeclareSegmentQueues(this IRabbitMqBusFactoryConfigurator cfg, TopologyOptions topology, RejectedQueueOptions? rejected = null)
    {
        foreach (var call in SegmentCalls.All)
            ForMessageType(nameof(DeclarePartitions), call.MessageType).Invoke(null, [cfg, topology]);

        cfg.DeclareRejectedQueue(rejected);
    }

    /// <summary>
    /// Binds a receive endpoint (the worker's partition <paramref name="partition"/>) to every Segment call's exchange,
    /// with the same queue arguments the publishing side declares.
    /// </summary>
    public static void BindPartition(this IRabbitMqReceiveEndpointConfigurator endpoint, IRabbitMqBusFactoryConfigurator cfg, int partition)
    {
        endpoint.ConfigureConsumeTopology = false;
        endpoint.ConfigurePartitionQueue();
        foreach (var call in SegmentCalls.All)
        {
            var exchange = (string)ForMessageType(nameof(ExchangeOf), call.MessageType).Invoke(null, [cfg])!;
            endpoint.Bind(exchange, b =>
            {
                b.ExchangeType = ExchangeType.Direct;
                b.RoutingKey = RoutingKeyOf(partition);
            });
        }
    }

    /// <summary>The routing key of a partition on the call exchanges.</summary>
    public static string RoutingKeyOf(int partition) => partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Partition queues are quorum queues with a single active consumer: however many workers subscribe, one consumes a
    /// partition at a time, and when it dies the next takes over at once with the unacknowledged messages first. Quorum,
    /// because classic queues of RabbitMQ 3.10 can crash on that failover (rabbitmq-server#5460). Both the ingest API and
    /// the worker declare the queues, so they must use the same arguments: this is the one place that sets them.
    /// </summary>
    public static void ConfigurePartitionQueue(this IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
        queue.SingleActiveConsumer = true;
    }

    /// <summary>
    /// The <c>_error</c> and <c>_skipped</c> queues of the partitions are classic queues, not copies of their partition's
    /// arguments (MassTransit's default): a single active consumer would refuse the operator tool's <c>basic.get</c>, and a
    /// quorum queue would count every read of a dead letter as a delivery in its headers.
    /// </summary>
    public static void UsePartitionErrorQueues(this IRabbitMqBusFactoryConfigurator cfg)
    {
        static void Classic(IRabbitMqQueueBindingConfigurator settings)
        {
            settings.SingleActiveConsumer = false;
            settings.SetQueueArgument("x-queue-type", null!);
        }
        cfg.SendTopology.ConfigureErrorSettings = Classic;
        cfg.SendTopology.ConfigureDeadLetterSettings = Classic;
    }

    static void DeclarePartitions<T>(IRabbitMqBusFactoryConfigurator cfg, TopologyOptions topology)
        where T : class
    {
        var exchange = ExchangeOf<T>(cfg);
        cfg.Publish<T>(p =>
        {
            p.ExchangeType = ExchangeType.Direct;
            foreach (var partition in topology.All)
            {
                p.BindQueue(exchange, SegmentQueues.PartitionQueue(partition), q =>
                {
                    q.ExchangeType = ExchangeType.Direct;
                    q.ConfigurePartitionQueue();
                    q.RoutingKey = RoutingKeyOf(partition);
                });
            }
        });
    }

    static string ExchangeOf<T>(IRabbitMqBusFactoryConfigurator cfg)
        where T : class =>
        cfg.MessageTopology.GetMessageTopology<T>().EntityName;

    // MassTransit's topology API is generic in the message type; the table holds Types, so each row is bridged here once.
    static System.Reflection.MethodInfo ForMessageType(string method, Type messageType) =>
        typeof(BusConfiguration).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(messageType);
}
