using System.ComponentModel.DataAnnotations;
using System.Globalization;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Where the broker is: <c>ConnectionStrings:RabbitMq</c>, an <c>amqp://user:pass@host:port/vhost</c> URI, and for a
/// cluster <c>RabbitMq:Hosts</c>, every node the process may connect to (<c>host</c> or <c>host:port</c>).
/// </summary>
public sealed class RabbitMqOptions
{
    public const string ConnectionStringName = "RabbitMq";
    public const string DefaultConnectionString = "amqp://guest:guest@localhost:5672/";
    public const string HostsKey = "RabbitMq:Hosts";

    [Required]
    public Uri ConnectionString { get; set; } = new(DefaultConnectionString);

    /// <summary>
    /// <c>RabbitMq:Hosts</c>: the cluster's nodes, tried in turn when a connection is opened or lost. The URI still
    /// gives the user, password, virtual host, scheme and the port of a node named without one; its own host is used
    /// only when this is empty.
    /// </summary>
    public string[] Hosts { get; set; } = [];

    /// <summary>The nodes to connect to, as the RabbitMQ client takes them (TLS when the URI is <c>amqps</c>).</summary>
    public IReadOnlyList<AmqpTcpEndpoint> Endpoints =>
        [.. (Hosts.Length > 0 ? Hosts : [ConnectionString.Authority]).Select(host => EndpointOf(host, ConnectionString))];

    /// <summary>The URI without its password, for log lines.</summary>
    public string Redacted => ConnectionString.UserInfo.Length == 0
        ? ConnectionString.ToString()
        : new UriBuilder(ConnectionString) { Password = "***" }.Uri.ToString();

    /// <summary>A node (<c>host</c> or <c>host:port</c>), with the URI's port and TLS; null when it is not one.</summary>
    public static AmqpTcpEndpoint? TryParseHost(string host, Uri connectionString)
    {
        var parts = host.Trim().Split(':');
        var tls = connectionString.Scheme is "amqps" or "rabbitmqs";
        var port = connectionString.IsDefaultPort || connectionString.Port <= 0 ? (tls ? 5671 : 5672) : connectionString.Port;
        var name = parts[0];
        if (parts.Length > 2 || name.Length == 0 || Uri.CheckHostName(name) == UriHostNameType.Unknown)
            return null;
        if (parts.Length == 2 && !(int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535))
            return null;
        return new AmqpTcpEndpoint(name, port, new SslOption(name, enabled: tls));
    }

    static AmqpTcpEndpoint EndpointOf(string host, Uri connectionString) =>
        TryParseHost(host, connectionString) ?? throw new FormatException($"{HostsKey} holds '{host}', which is not host or host:port.");
}
