using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// The one way a process opens a RabbitMQ connection of its own (the bus's is MassTransit's, set up the same way through
/// <see cref="Configure"/>): every node of <c>RabbitMq:Hosts</c> tried in turn, the URI's user, password, virtual host and
/// TLS (<c>amqps</c>, <c>rabbitmqs</c>), 5 s heartbeats, and the socket whose failed write ends the connection at once
/// (<see cref="DeadConnectionWrites"/>).
/// </summary>
public sealed class BrokerConnections(IOptions<RabbitMqOptions> options)
{
    /// <summary>Opens a connection named <c>{purpose}@{machine}:{pid}</c> to the first node that answers.</summary>
    public Task<IConnection> OpenAsync(string purpose, CancellationToken cancellationToken) =>
        Factory(purpose).CreateConnectionAsync(options.Value.Endpoints, cancellationToken);

    /// <summary>A factory for <paramref name="purpose"/>; pass <see cref="RabbitMqOptions.Endpoints"/> when connecting.</summary>
    public ConnectionFactory Factory(string purpose)
    {
        var uri = options.Value.ConnectionString;
        // MassTransit also takes rabbitmq:// and rabbitmqs://; the AMQP client only the amqp schemes.
        var amqp = new UriBuilder(uri) { Scheme = uri.Scheme.EndsWith('s') ? "amqps" : "amqp" }.Uri;
        var factory = new ConnectionFactory
        {
            Uri = amqp,
            ClientProvidedName = $"{purpose}@{Environment.MachineName}:{Environment.ProcessId}",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            // Our side connections are replaced by their owner when lost, as the bus's are by MassTransit.
            AutomaticRecoveryEnabled = false,
        };
        Configure(factory);
        return factory;
    }

    /// <summary>What every connection of the service gets, the bus's included (through MassTransit's <c>OnRefreshConnectionFactory</c>).</summary>
    public static void Configure(ConnectionFactory factory)
    {
        // A dead host's partitions move to another worker once the broker misses two heartbeats (about 10 s).
        factory.RequestedHeartbeat = TimeSpan.FromSeconds(5);
        // A broker that closes the connection under load must not leave the client's writes waiting for good.
        factory.SocketFactory = DeadConnectionWrites.SocketFactory;
    }
}
