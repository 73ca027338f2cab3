using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.IntegrationTests.Broker;

/// <summary>
/// The hold check's channel tracks its confirms itself (no exception per returned message): each publish learns whether
/// the broker routed it or returned it, also when many are in flight at once, and a closed channel ends the wait.
/// </summary>
public sealed class When_a_mandatory_publish_is_returned : IAsyncLifetime
{
    const string Exchange = "confirm-test";
    const string Queue = "confirm-test-routed";
    RabbitMqBroker _broker = null!;
    Uri _vhost = null!;
    IConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqBroker.GetAsync();
        _vhost = await _broker.CreateVirtualHostAsync();
        _connection = await new ConnectionFactory { Uri = _vhost }.CreateConnectionAsync();
        await using var channel = await _connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Direct, durable: true);
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(Queue, Exchange, "routed");
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _broker.DeleteVirtualHostAsync(_vhost);
    }

    [Fact]
    public async Task Should_tell_each_of_many_concurrent_publishes_whether_it_was_routed()
    {
        await using var confirmed = await ConfirmedChannel.OpenAsync(_connection);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 400).Select(i =>
            confirmed.TryPublishAsync(Exchange, i % 3 == 0 ? "routed" : "nowhere", new BasicProperties { Persistent = true },
                BitConverter.GetBytes(i), CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 400).Select(i => i % 3 == 0), outcomes);
        await using var channel = await _connection.CreateChannelAsync();
        Assert.Equal(134u, await channel.MessageCountAsync(Queue));
    }

    [Fact]
    public async Task Should_fail_a_publish_that_must_be_routed_when_it_is_returned()
    {
        await using var confirmed = await ConfirmedChannel.OpenAsync(_connection);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            confirmed.PublishAsync(Exchange, "nowhere", new BasicProperties(), new byte[] { 1 }, CancellationToken.None));

        Assert.Contains("returned", refused.Message);
        await confirmed.PublishAsync(Exchange, "routed", new BasicProperties(), new byte[] { 2 }, CancellationToken.None);
    }

    [Fact]
    public async Task Should_end_the_wait_when_the_channel_closes()
    {
        var confirmed = await ConfirmedChannel.OpenAsync(_connection);
        await confirmed.Channel.CloseAsync();

        await Assert.ThrowsAsync<AlreadyClosedException>(() =>
            confirmed.TryPublishAsync(Exchange, "routed", new BasicProperties(), new byte[] { 3 }, CancellationToken.None));
    }
}
