using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Operations.Broker;

/// <summary>
/// Where the broker is, configured as the services configure it: <c>ConnectionStrings:RabbitMq</c>, plus
/// <c>RabbitMq:ManagementUrl</c> for the queue listing (default: the AMQP host on port 15672).
/// </summary>
public sealed record BrokerSettings(Uri Amqp, Uri Management)
{
    public const string ManagementUrlKey = "RabbitMq:ManagementUrl";

    public static BrokerSettings From(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString(RabbitMqOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(value))
            value = RabbitMqOptions.DefaultConnectionString;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var amqp) || amqp.Scheme is not ("amqp" or "amqps"))
            throw new OperatorException(ExitCodes.Usage,
                $"ConnectionStrings:RabbitMq must be an amqp:// URI such as {RabbitMqOptions.DefaultConnectionString}; set it with --connection or the ConnectionStrings__RabbitMq environment variable.");

        var management = new UriBuilder("http", amqp.Host, 15672, "/").Uri;
        if (configuration[ManagementUrlKey] is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out management) || management.Scheme is not ("http" or "https"))
                throw new OperatorException(ExitCodes.Usage, $"{ManagementUrlKey} (--management-url) must be an http(s):// URL such as http://localhost:15672/.");
        }
        return new BrokerSettings(amqp, management) { Partitions = configuration.GetValue<int?>($"{TopologyOptions.Section}:{nameof(TopologyOptions.Partitions)}") ?? new TopologyOptions().Partitions };
    }

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
