using System.Globalization;
using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Messaging;

/// <summary>MassTransit wiring shared by every process that talks to the broker.</summary>
public static class BusConfiguration
{
    /// <summary>Binds and validates <c>ConnectionStrings:RabbitMq</c> and <c>RabbitMq:Hosts</c>.</summary>
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
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.Hosts = configuration.GetSection(RabbitMqOptions.HostsKey).Get<string[]>() ?? [];
                var wrong = options.Hosts.Select((host, i) => (host, i)).Where(h => RabbitMqOptions.TryParseHost(h.host, options.ConnectionString) is null).ToList();
                if (wrong.Count > 0)
                    throw new OptionsValidationException(nameof(RabbitMqOptions), typeof(RabbitMqOptions),
                        [.. wrong.Select(h => $"{RabbitMqOptions.HostsKey}:{h.i} is '{h.host}': a cluster node must be host or host:port, e.g. rabbit-1:5672")]);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// MassTransit with usage telemetry off (it would call out to the internet), after a check of the queues the process
    /// declares (<paramref name="declares"/>, see <see cref="QueueDeclarationCheck"/>).
    /// </summary>
    public static IServiceCollection AddSegmentNovuMassTransit(this IServiceCollection services,
        Action<IBusRegistrationConfigurator> configure, Func<IServiceProvider, IEnumerable<QueueDeclaration>> declares)
    {
        services.AddRabbitMqOptions();
        services.AddTopologyOptions();
        services.TryAddSingleton<BrokerConnections>();
        // Registered first: hosted services start in order, and this one must run before the bus declares anything.
        services.AddQueueDeclarationCheck(declares);
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
        var h = new RabbitMqHostConfigurator(options.ConnectionString, $"{connectionName}@{Environment.MachineName}:{Environment.ProcessId}");
        // Heartbeats and the socket as every connection of the service has them (BrokerConnections.Configure): a dead host's
        // partitions move to another worker once the broker misses two heartbeats (about 10 s), not after the default 60 s.
        h.Heartbeat(TimeSpan.FromSeconds(5));
        // Publish/Send complete only once the broker confirmed the message: the ingest API answers 2xx on that.
        h.PublisherConfirmation = true;
        h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
        h.OnRefreshConnectionFactory = factory =>
        {
            BrokerConnections.Configure(factory);
            return Task.CompletedTask;
        };
        // Each connection attempt tries every node, one further along each time, so a process whose node died
        // reconnects to another one at once; the queues it uses are quorum queues, led from any node.
        cfg.Host(options.Hosts.Length > 0 ? EveryNodeEndpointResolver.Over(h.Settings, options.Endpoints) : h.Settings);
        // MassTransit writes its envelope indented by default: whitespace every event pays for in the ingest's writes,
        // the broker's disk and memory and the worker's reads. Readers do not care; the tools indent what they show.
        cfg.ConfigureJsonSerializerOptions(json =>
        {
            json.WriteIndented = false;
            return json;
        });
        cfg.ExcludeSegmentEventFromTopology();
    }

    /// <summary>
    /// No exchange for <see cref="ISegmentEvent"/>, the interface every call's record implements: MassTransit would otherwise
    /// declare one and bind each call's exchange to it, and publish every event through it (nothing is bound there). The
    /// configured form of <c>[ExcludeFromTopology]</c>, here so that the contracts need no MassTransit; its fault is
    /// excluded too, as the attribute did. The call exchanges keep their names.
    /// </summary>
    public static void ExcludeSegmentEventFromTopology(this IBusFactoryConfigurator cfg)
    {
        cfg.Publish<ISegmentEvent>(p => p.Exclude = true);
        cfg.Publish<Fault<ISegmentEvent>>(p => p.Exclude = true);
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
        endpoint.ConfigurePartitionQueue(SegmentQueues.PartitionQueue(partition));
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
    /// Gives a partition queue its arguments (<see cref="QueueArguments.Partition"/>). Both the ingest API and the worker
    /// declare the queues, so they must use the same arguments: they take them from there.
    /// </summary>
    public static void ConfigurePartitionQueue(this IRabbitMqQueueConfigurator queue, string queueName) =>
        queue.ApplyQueueArguments(QueueArguments.Partition(queueName));

    /// <summary>
    /// The <c>_error</c> and <c>_skipped</c> queues of the partitions get their own arguments
    /// (<see cref="QueueArguments.DeadLetters"/>, bounded by <paramref name="options"/>), not copies of their partition's (MassTransit's default): a single
    /// active consumer would refuse the operator tool's <c>basic.get</c>, a delivery limit would count its reads, and a
    /// dead-letter target would point an <c>_error</c> queue at itself.
    /// </summary>
    public static void UsePartitionErrorQueues(this IRabbitMqBusFactoryConfigurator cfg, DeadLetterQueueOptions options)
    {
        var arguments = QueueArguments.DeadLetters(options);
        void DeadLetters(IRabbitMqQueueBindingConfigurator settings) => settings.ApplyQueueArguments(arguments);
        cfg.SendTopology.ConfigureErrorSettings = DeadLetters;
        cfg.SendTopology.ConfigureDeadLetterSettings = DeadLetters;
    }

    /// <summary>
    /// Sets exactly <paramref name="arguments"/>: any argument of the service's that is not among them is removed, since
    /// MassTransit starts an error queue's settings from its endpoint's.
    /// </summary>
    static void ApplyQueueArguments(this IRabbitMqQueueConfigurator queue, IReadOnlyDictionary<string, object> arguments)
    {
        foreach (var key in ArgumentKeys.Where(k => !arguments.ContainsKey(k)))
            queue.SetQueueArgument(key, null!); // MassTransit removes an argument set to null
        if (arguments.TryGetValue(QueueArguments.QueueType, out var type) && "quorum".Equals(type))
            queue.SetQuorumQueue(); // also durable, and without a priority (quorum queues have none)
        foreach (var (key, value) in arguments)
            queue.SetQueueArgument(key, value);
    }

    static readonly string[] ArgumentKeys =
    [
        QueueArguments.QueueType, QueueArguments.SingleActiveConsumer, QueueArguments.DeliveryLimitArgument,
        QueueArguments.DeadLetterExchange, QueueArguments.DeadLetterRoutingKey, QueueArguments.DeadLetterStrategy,
        QueueArguments.Overflow, QueueArguments.MessageTtl, QueueArguments.MaxLength,
    ];

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
                    q.ConfigurePartitionQueue(SegmentQueues.PartitionQueue(partition));
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
