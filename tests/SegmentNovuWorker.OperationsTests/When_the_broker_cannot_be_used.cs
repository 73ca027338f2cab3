using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>Errors say what to do, exit with a code a script can trust, and never print the password.</summary>
public sealed class When_the_broker_cannot_be_used
{
    [Fact]
    public async Task Should_say_the_broker_is_unreachable()
    {
        var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(new Uri("amqp://guest:s3cret-pw@127.0.0.1:1/")), "dlq", "list");

        Assert.Equal(ExitCodes.BrokerUnavailable, run.ExitCode);
        Assert.Contains("RabbitMQ at amqp://guest:***@127.0.0.1:1/ is not reachable", run.Error);
        Assert.DoesNotContain("s3cret-pw", run.Error + run.Output);
    }

    [Fact]
    public async Task Should_say_the_credentials_are_wrong()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        var wrong = new UriBuilder(vhost) { Password = "wrong-pw" }.Uri;
        try
        {
            var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(wrong), "dlq", "list");

            Assert.Equal(ExitCodes.BrokerUnavailable, run.ExitCode);
            Assert.Contains("refused the credentials of user", run.Error);
            Assert.DoesNotContain("wrong-pw", run.Error + run.Output);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Should_say_the_virtual_host_is_missing()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var missing = new Uri($"amqp://{broker.User}:{broker.Password}@{broker.Host}:{broker.AmqpPort}/no-such-vhost");

        var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(missing), "dlq", "summary");

        Assert.True(run.ExitCode == ExitCodes.BrokerUnavailable, run.Error);
        Assert.Contains("virtual host 'no-such-vhost'", run.Error);
    }

    [Fact]
    public async Task Should_say_a_named_queue_is_missing()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        try
        {
            var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(vhost), "dlq", "list", "--queue", "segment-track");

            Assert.Equal(ExitCodes.NotFound, run.ExitCode);
            Assert.Contains("Queue 'segment-track_error' does not exist", run.Error);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Should_say_where_the_management_api_was_looked_for()
    {
        var run = await Cli.RunWithEnvironmentAsync(Cli.Broker(new Uri("amqp://guest:guest@127.0.0.1:1/")), "queues", "--management-url", "http://127.0.0.1:1/");

        Assert.Equal(ExitCodes.BrokerUnavailable, run.ExitCode);
        Assert.Contains("management API at http://127.0.0.1:1/ is not reachable", run.Error);
    }

    [Theory]
    [InlineData("dlq", "list", "--page", "first")]
    [InlineData("dlq", "list", "--since", "yesterday")]
    [InlineData("dlq", "replay", "--connection", "amqp://guest@127.0.0.1:1/")]
    [InlineData("queues", "--management-url", "not a url")]
    public async Task Should_exit_1_on_a_usage_error(params string[] args)
    {
        var run = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.NotEmpty(run.Error);
    }
}
