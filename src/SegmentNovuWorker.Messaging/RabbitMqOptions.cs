using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Messaging;

/// <summary>Where the broker is: <c>ConnectionStrings:RabbitMq</c>, an <c>amqp://user:pass@host:port/vhost</c> URI.</summary>
public sealed class RabbitMqOptions
{
    public const string ConnectionStringName = "RabbitMq";
    public const string DefaultConnectionString = "amqp://guest:guest@localhost:5672/";

    [Required]
    public Uri ConnectionString { get; set; } = new(DefaultConnectionString);

    /// <summary>The URI without its password, for log lines.</summary>
    public string Redacted => ConnectionString.UserInfo.Length == 0
        ? ConnectionString.ToString()
        : new UriBuilder(ConnectionString) { Password = "***" }.Uri.ToString();
}
