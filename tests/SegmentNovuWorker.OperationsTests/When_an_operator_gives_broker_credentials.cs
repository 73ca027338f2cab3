using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// The broker password reaches <c>segment-novu</c> only through the environment or configuration, never the command
/// line; the tool never guesses a broker; and it sends the password to the management API only over TLS or loopback.
/// </summary>
public sealed class When_an_operator_gives_broker_credentials
{
    [Fact]
    public async Task Should_refuse_a_password_in_connection_and_say_what_to_use_instead()
    {
        var run = await Cli.RunAsync("dlq", "list", "--connection", "amqp://ops:s3cret-pw@127.0.0.1:5672/");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--connection must not carry a password", run.Error);
        Assert.Contains("RabbitMq__Password", run.Error);
        Assert.Contains("ConnectionStrings__RabbitMq", run.Error);
        Assert.DoesNotContain("s3cret-pw", run.Error + run.Output);
    }

    [Fact]
    public async Task Should_take_the_password_from_the_environment_beside_a_connection_without_one()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        try
        {
            var withoutPassword = new UriBuilder(vhost) { Password = "" }.Uri;
            var run = await Cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["RabbitMq:Password"] = broker.Password },
                "dlq", "summary", "--json", "--connection", withoutPassword.ToString());

            Assert.True(run.ExitCode == ExitCodes.Ok, run.Error);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Should_fail_instead_of_trying_guest_at_localhost_when_nothing_is_configured()
    {
        var run = await Cli.RunAsync("dlq", "summary");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("No broker configured", run.Error);
        Assert.DoesNotContain("localhost", run.Error);
    }

    [Fact]
    public async Task Should_ask_for_the_management_api_over_https_when_the_broker_uri_is_amqps()
    {
        // Nothing listens there; the error says which URL was tried.
        var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(new Uri("amqps://ops:pw@127.0.0.1:1/")), "queues");

        Assert.Equal(ExitCodes.BrokerUnavailable, run.ExitCode);
        Assert.Contains("https://127.0.0.1:15671/", run.Error);
    }

    [Fact]
    public async Task Should_refuse_plain_http_to_another_host_without_insecure()
    {
        // 192.0.2.1 is TEST-NET-1: never routed, so nothing is sent anywhere in either case.
        var environment = Cli.Broker(new Uri("amqp://ops:pw@192.0.2.1:5672/"));

        var refused = await Cli.RunWithEnvironmentAsync(environment, "queues");
        var insecure = await Cli.RunWithEnvironmentAsync(environment, "queues", "--insecure");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("plain http on another host", refused.Error);
        Assert.Contains("--insecure", refused.Error);
        // Allowed, it tries (and finds nothing there).
        Assert.Equal(ExitCodes.BrokerUnavailable, insecure.ExitCode);
        Assert.Contains("management API at http://192.0.2.1:15672/ is not reachable", insecure.Error);
    }
}
