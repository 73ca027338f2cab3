using System.Net.Sockets;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SegmentNovuWorker.Operations.Broker;

/// <summary>Opens AMQP connections to the configured broker and turns its failures into messages an operator can act on.</summary>
public sealed class BrokerConnector(BrokerSettings settings)
{
    public BrokerSettings Settings { get; } = settings;

    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = Settings.Amqp,
            ClientProvidedName = "segment-novu operator",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        // The operator's own settings (BrokerSettings: its URI and nodes), with what every connection of ours has.
        SegmentNovuWorker.Messaging.BrokerConnections.Configure(factory);
        IConnection? connection = null;
        try
        {
            connection = await factory.CreateConnectionAsync(Settings.Endpoints, cancellationToken);
            // The broker may refuse a virtual host only after the connection opened: a first channel finds out here,
            // so the operator reads why instead of a later "already closed".
            await using (await connection.CreateChannelAsync(cancellationToken: cancellationToken))
            {
            }
            return connection;
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException)
        {
            if (connection is not null)
                await connection.DisposeAsync();
            throw Explain(ex);
        }
    }

    OperatorException Explain(Exception ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AuthenticationFailureException:
                    return new OperatorException(ExitCodes.BrokerUnavailable,
                        $"RabbitMQ at {Settings.Redacted} refused the credentials of user '{Settings.User}'. Check the user and password in ConnectionStrings:RabbitMq (or RabbitMq:Password).", ex);
                case OperationInterruptedException { ShutdownReason.ReplyCode: 530 }:
                    return new OperatorException(ExitCodes.BrokerUnavailable,
                        $"RabbitMQ at {Settings.Redacted} refused access to virtual host '{Settings.VirtualHost}': it does not exist or user '{Settings.User}' has no permission on it.", ex);
                case SocketException or ConnectFailureException:
                    break;
            }
        }
        return new OperatorException(ExitCodes.BrokerUnavailable,
            $"RabbitMQ at {Settings.Redacted} is not reachable. Is the broker running, and is ConnectionStrings:RabbitMq (or --connection) the one the service uses?", ex);
    }

    /// <summary>Ready messages and consumers of a queue, or null when it does not exist.</summary>
    public static async Task<QueueDeclareOk?> PeekQueueAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel with 404: use a throwaway one.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }
}
