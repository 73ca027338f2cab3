using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.UnitTests.Messaging;

/// <summary>
/// <see cref="EveryNodeEndpointResolver"/>: each connection attempt gets every cluster node, one further along each
/// time, so the client reaches a live node in one attempt however many listed before it are down.
/// </summary>
public sealed class EveryNodeEndpointResolverSpecs
{
    static readonly AmqpTcpEndpoint[] Nodes = [new("rabbit-1", 5672), new("rabbit-2", 5673), new("rabbit-3", 5674)];

    static RabbitMqHostSettings Host()
    {
        var host = new RabbitMqHostConfigurator(new Uri("amqp://app:secret@rabbit-1:5672/orders"), "worker@test");
        host.PublisherConfirmation = true;
        host.Heartbeat(TimeSpan.FromSeconds(5));
        return EveryNodeEndpointResolver.Over(host.Settings, Nodes);
    }

    static string[] Attempt(RabbitMqHostSettings host) => [.. host.EndpointResolver.All().Select(e => $"{e.HostName}:{e.Port}")];

    [Fact]
    public void Should_offer_every_node_in_each_attempt_starting_one_further_each_time()
    {
        var host = Host();

        Assert.Equal(["rabbit-1:5672", "rabbit-2:5673", "rabbit-3:5674"], Attempt(host));
        Assert.Equal(["rabbit-2:5673", "rabbit-3:5674", "rabbit-1:5672"], Attempt(host));
        Assert.Equal(["rabbit-3:5674", "rabbit-1:5672", "rabbit-2:5673"], Attempt(host));
        Assert.Equal(["rabbit-1:5672", "rabbit-2:5673", "rabbit-3:5674"], Attempt(host));
    }

    [Fact]
    public void Should_name_the_node_an_attempt_started_with()
    {
        var host = Host();

        Attempt(host);
        Attempt(host);

        Assert.Equal("rabbit-2:5673", host.EndpointResolver.LastHost.ToString());
    }

    [Fact]
    public void Should_keep_every_other_setting_the_host_configurator_built()
    {
        var host = Host();

        Assert.Equal(("app", "secret", "orders", "worker@test"), (host.Username, host.Password, host.VirtualHost, host.ClientProvidedName));
        Assert.True(host.PublisherConfirmation);
        Assert.Equal(TimeSpan.FromSeconds(5), host.Heartbeat);
    }

    [Fact]
    public void Should_connect_each_node_over_tls_when_the_uri_is_amqps()
    {
        var host = new RabbitMqHostConfigurator(new Uri("amqps://app:secret@rabbit-1:5671/"), "worker@test");

        var resolver = EveryNodeEndpointResolver.Over(host.Settings, Nodes).EndpointResolver;

        Assert.All(resolver.All(), endpoint => Assert.True(endpoint.Ssl.Enabled));
    }
}
