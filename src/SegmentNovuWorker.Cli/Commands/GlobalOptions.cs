using System.CommandLine;
using SegmentNovuWorker.Cli.Output;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary>Options every command takes, and the one way every command runs.</summary>
static class GlobalOptions
{
    public static readonly Option<string?> Connection = new("--connection")
    {
        Description = "The broker as amqp://user@host:port/vhost, without a password (that comes from RabbitMq__Password); default: ConnectionStrings:RabbitMq from appsettings.json or ConnectionStrings__RabbitMq.",
        Recursive = true,
    };

    public static readonly Option<string?> ManagementUrl = new("--management-url")
    {
        Description = "RabbitMQ's management API, for 'queues' (default: RabbitMq:ManagementUrl, else the broker's host on port 15672).",
        Recursive = true,
    };

    public static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Allow sending the broker credentials to the management API over plain http to another host.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write JSON for scripts instead of tables.",
        Recursive = true,
    };

    /// <summary>Runs a command with the broker settings; an <see cref="OperatorException"/> becomes its message on stderr and its exit code.</summary>
    public static void SetRun(this Command command, Func<CommandRun, CancellationToken, Task<int>> run) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var settings = CliConfiguration.Load(parseResult.GetValue(Connection), parseResult.GetValue(ManagementUrl), parseResult.GetValue(Insecure));
                var context = new CommandRun(parseResult, settings, parseResult.InvocationConfiguration.Output, error, parseResult.GetValue(Json));
                return await run(context, cancellationToken);
            }
            catch (OperatorException ex)
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return ex.ExitCode;
            }
        });
}

/// <summary>What a running command has at hand.</summary>
sealed record CommandRun(ParseResult Parse, BrokerSettings Settings, TextWriter Output, TextWriter Error, bool Json)
{
    /// <summary>A progress bar on the terminal, only when a person watches it (stderr not redirected, no --json).</summary>
    public ProgressBar? ProgressBar(string verb) =>
        !Json && ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected ? new ProgressBar(Error, verb) : null;
}
