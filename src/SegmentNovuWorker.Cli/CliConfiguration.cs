using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Cli;

/// <summary>
/// The broker settings, read as the services read theirs: <c>appsettings.json</c> in the current folder, then
/// environment variables (<c>ConnectionStrings__RabbitMq</c>, <c>RabbitMq__Password</c>, <c>RabbitMq__ManagementUrl</c>),
/// then <c>--connection</c> / <c>--management-url</c> / <c>--insecure</c>. A password never comes from the command line,
/// which other users of the machine can read (<c>ps</c>) and the shell keeps in its history.
/// </summary>
static class CliConfiguration
{
    static readonly string ConnectionKey = $"ConnectionStrings:{RabbitMqOptions.ConnectionStringName}";

    /// <summary>Stands in for the process's environment and current folder when set: tests run the tool in-process, many at once.</summary>
    internal static readonly AsyncLocal<(IReadOnlyDictionary<string, string?> Variables, string Folder)?> Environment = new();

    /// <summary>An environment variable (or the test's stand-in for it).</summary>
    public static string? Variable(string name) =>
        Environment.Value is { } fake ? fake.Variables.GetValueOrDefault(name) : System.Environment.GetEnvironmentVariable(name);

    public static BrokerSettings Load(string? connection, string? managementUrl, bool insecure) =>
        Settings(Build(connection, managementUrl, insecure));

    /// <summary>The whole configuration, read as the services read theirs; <paramref name="file"/> instead of ./appsettings.json.</summary>
    public static IConfiguration Build(string? connection, string? managementUrl, bool insecure, FileInfo? file = null)
    {
        if (!string.IsNullOrEmpty(connection) && Uri.TryCreate(connection, UriKind.Absolute, out var given) && given.UserInfo.Contains(':', StringComparison.Ordinal))
            throw new OperatorException(ExitCodes.Usage,
                "--connection must not carry a password: command lines show in 'ps' and in shell history. Give the password in the " +
                "RabbitMq__Password environment variable with --connection amqp://user@host:port/vhost, or the whole URI in " +
                "ConnectionStrings__RabbitMq (environment) or ConnectionStrings:RabbitMq (./appsettings.json).");

        var overrides = new Dictionary<string, string?>();
        if (!string.IsNullOrEmpty(connection))
            overrides[ConnectionKey] = connection;
        if (!string.IsNullOrEmpty(managementUrl))
            overrides[BrokerSettings.ManagementUrlKey] = managementUrl;
        if (insecure)
            overrides[BrokerSettings.AllowInsecureManagementKey] = "true";

        var environment = Environment.Value;
        var builder = new ConfigurationBuilder()
            .SetBasePath(environment?.Folder ?? Directory.GetCurrentDirectory())
            .AddJsonFile(file?.FullName ?? "appsettings.json", optional: file is null);
        if (environment is { } fake)
            builder.AddInMemoryCollection(fake.Variables);
        else
            builder.AddEnvironmentVariables();
        return builder.AddInMemoryCollection(overrides).Build();
    }

    /// <summary>The broker settings of a configuration; refuses one that names no broker.</summary>
    public static BrokerSettings Settings(IConfiguration configuration)
    {
        // Never guess: a tool that quietly tried guest@localhost would act on whatever broker happens to be there.
        if (string.IsNullOrWhiteSpace(configuration[ConnectionKey]))
            throw new OperatorException(ExitCodes.Usage,
                "No broker configured: set ConnectionStrings__RabbitMq (amqp://user:password@host:port/vhost) in the environment or " +
                "ConnectionStrings:RabbitMq in ./appsettings.json, or pass --connection amqp://user@host:port/vhost with the password in RabbitMq__Password.");
        return BrokerSettings.From(configuration);
    }
}
