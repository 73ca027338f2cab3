using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Operations.Broker;

/// <summary>
/// Where the broker is, configured as the services configure it: <c>ConnectionStrings:RabbitMq</c> (its password, or
/// <c>RabbitMq:Password</c> when the URI has none) and <c>RabbitMq:Hosts</c> for a cluster, plus <c>RabbitMq:ManagementUrl</c> for the queue listing (default:
/// the AMQP host on port 15672 over http, or 15671 over https when the broker URI is <c>amqps</c>).
/// </summary>
public sealed record BrokerSettings(Uri Amqp, Uri Management, bool AllowInsecureManagement = false)
{
    public const string ManagementUrlKey = "RabbitMq:ManagementUrl";
    public const string PasswordKey = "RabbitMq:Password";
    public const string AllowInsecureManagementKey = "RabbitMq:AllowInsecureManagement";

    public static BrokerSettings From(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString(RabbitMqOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(value))
            value = RabbitMqOptions.DefaultConnectionString;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var amqp) || amqp.Scheme is not ("amqp" or "amqps"))
            throw new OperatorException(ExitCodes.Usage,
                "ConnectionStrings:RabbitMq must be an amqp:// URI such as amqp://user@host:5672/vhost; set it in the ConnectionStrings__RabbitMq environment variable or ./appsettings.json.");
        if (!amqp.UserInfo.Contains(':', StringComparison.Ordinal) && configuration[PasswordKey] is { Length: > 0 } password)
            amqp = new UriBuilder(amqp) { Password = Uri.EscapeDataString(password) }.Uri;

        // The management API gets the broker password too: over TLS whenever the broker connection is.
        var management = amqp.Scheme == "amqps" ? new UriBuilder("https", amqp.Host, 15671, "/").Uri : new UriBuilder("http", amqp.Host, 15672, "/").Uri;
        if (configuration[ManagementUrlKey] is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out management) || management.Scheme is not ("http" or "https"))
                throw new OperatorException(ExitCodes.Usage, $"{ManagementUrlKey} (--management-url) must be an http(s):// URL such as http://localhost:15672/.");
        }
        var hosts = configuration.GetSection(RabbitMqOptions.HostsKey).Get<string[]>() ?? [];
        if (hosts.FirstOrDefault(h => RabbitMqOptions.TryParseHost(h, amqp) is null) is { } wrong)
            throw new OperatorException(ExitCodes.Usage, $"{RabbitMqOptions.HostsKey} holds '{wrong}': a cluster node must be host or host:port, e.g. rabbit-1:5672.");
        return new BrokerSettings(amqp, management, configuration.GetValue<bool>(AllowInsecureManagementKey))
        {
            Hosts = hosts,
            Partitions = configuration.GetValue<int?>($"{TopologyOptions.Section}:{nameof(TopologyOptions.Partitions)}") ?? new TopologyOptions().Partitions,
        };
    }

    /// <summary>
    /// Refuses to send the broker password to the management API over plain http to another machine, unless
    /// <c>--insecure</c> (<c>RabbitMq:AllowInsecureManagement</c>) says so.
    /// </summary>
    public void EnsureManagementIsSafe()
    {
        if (Management.Scheme == "https" || Management.IsLoopback || AllowInsecureManagement)
            return;
        throw new OperatorException(ExitCodes.Usage,
            $"RabbitMQ's management API at {Management} is plain http on another host: the broker password would cross the network in clear. " +
            $"Use an https:// {ManagementUrlKey} (--management-url), or pass --insecure ({AllowInsecureManagementKey}=true) if the network is trusted.");
    }

    /// <summary><c>RabbitMq:Hosts</c>, as the services read it: the cluster's nodes, tried in turn.</summary>
    public string[] Hosts { get; init; } = [];

    /// <summary>The nodes to connect to, read as the services read them.</summary>
    public IReadOnlyList<RabbitMQ.Client.AmqpTcpEndpoint> Endpoints => new RabbitMqOptions { ConnectionString = Amqp, Hosts = Hosts }.Endpoints;

    /// <summary><c>Topology:Partitions</c>, as the services read it: which partition queues (and their <c>_error</c> queues) exist.</summary>
    public int Partitions { get; init; } = new TopologyOptions().Partitions;

    /// <summary>The virtual host named by the URI's path; "/" when it names none.</summary>
    public string VirtualHost
    {
        get
        {
            var path = Uri.UnescapeDataString(Amqp.AbsolutePath.TrimStart('/'));
            return path.Length == 0 ? "/" : path;
        }
    }

    public string User => Uri.UnescapeDataString(Amqp.UserInfo.Split(':', 2)[0]);

    public string Password => Amqp.UserInfo.Split(':', 2) is [_, var password] ? Uri.UnescapeDataString(password) : "";

    /// <summary>The AMQP URI without its password, for messages.</summary>
    public string Redacted => Amqp.UserInfo.Length == 0
        ? Amqp.ToString()
        : new UriBuilder(Amqp) { Password = "***" }.Uri.ToString();
}
