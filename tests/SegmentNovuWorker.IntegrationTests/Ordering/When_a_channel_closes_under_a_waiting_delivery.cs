using RabbitMQ.Client;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>
/// A partition's user lanes outlive its channels. A delivery still waiting for its turn when its channel closes must give
/// up (its message is back in the queue by then), or its user's later events, its own redelivery among them, wait behind
/// it for good on the next channel. MassTransit does not always cancel such a delivery: not one it took in after a stop
/// that was cut short had cancelled the rest. Real channels of a real broker, closed as a stop or the broker closes them.
/// </summary>
public sealed class When_a_channel_closes_under_a_waiting_delivery
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    static async Task<(IConnection Connection, IChannel Old, IChannel Next)> ChannelsAsync()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        var connection = await new ConnectionFactory { Uri = vhost }.CreateConnectionAsync();
        return (connection, await connection.CreateChannelAsync(), await connection.CreateChannelAsync());
    }

    [Fact]
    public async Task Should_let_the_users_next_delivery_run_once_a_handed_over_channel_closes()
    {
        var (connection, old, next) = await ChannelsAsync();
        await using var _ = connection;
        var lanes = new UserLanes();

        var running = await lanes.EnterAsync("u", false, old, 1, CancellationToken.None);
        await running.WaitTurnAsync(CancellationToken.None);
        using var waiting = await lanes.EnterAsync("u", false, old, 2, CancellationToken.None);
        var waits = waiting.WaitTurnAsync(CancellationToken.None);
        var handedOver = lanes.BeginHandoverAsync();
        running.Dispose();
        await handedOver.WaitAsync(Bound);
        Assert.False(waits.IsCompleted); // the handover keeps it from starting, and nothing cancels its delivery

        await lanes.CloseChannelAsync("handed over", Bound, CancellationToken.None);
        lanes.EndHandover();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waits.WaitAsync(Bound));
        waiting.Dispose();
        using var redelivered = await lanes.EnterAsync("u", false, next, 1, CancellationToken.None);
        await redelivered.WaitTurnAsync(CancellationToken.None).WaitAsync(Bound);
    }

    [Fact]
    public async Task Should_let_a_delivery_waiting_for_an_earlier_tag_give_up_once_its_channel_closes()
    {
        var (connection, old, next) = await ChannelsAsync();
        await using var _ = connection;
        var lanes = new UserLanes();

        // Tag 1 never reaches the lanes (MassTransit drops a delivery that arrives while its consumer stops).
        var enters = lanes.EnterAsync("u", false, old, 2, CancellationToken.None);
        await Task.Yield();
        Assert.False(enters.IsCompleted);

        await old.CloseAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enters.WaitAsync(Bound));
        using var redelivered = await lanes.EnterAsync("u", false, next, 1, CancellationToken.None);
        await redelivered.WaitTurnAsync(CancellationToken.None).WaitAsync(Bound);
    }
}
