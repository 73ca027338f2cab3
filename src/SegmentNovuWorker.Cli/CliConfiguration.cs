using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Cli;

/// <summary>
/// The broker settings, read as the services read theirs: <c>appsettings.json</c> in the current folder, then
/// environment variables (<c>ConnectionStrings__RabbitMq</c>, <c>RabbitMq__ManagementUrl</c>), then
/// <c>--connection</c> / <c>--management-url</c>.
/// </summary>
static class CliConfiguration
{
    public static BrokerSettings Load(string? connection, string? managementUrl)
    {
        var overrides = new Dictionary<string, string?>();
        if (!string.IsNullOrEmpty(connection))
            overrides[$"ConnectionStrings:{RabbitMqOptions.ConnectionStringName}"] = connection;
        if (!string.IsNullOrEmpty(managementUrl))
            overrides[BrokerSettings.ManagementUrlKey] = managementUrl;

        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        return BrokerSettings.From(configuration);
    }
}
