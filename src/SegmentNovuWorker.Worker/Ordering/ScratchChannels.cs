using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// The channels the holds use for their broker operations (declare, bind, look up, take the next head, delete): at most
/// <see cref="PerConnection"/> per connection, reused, so no number of holds, heads or waiting events can exhaust a
/// connection's channels (a long outage once did: "The connection cannot support any more channels", every hold
/// operation opening a channel of its own). A caller waits for a free one. A channel that an operation failed (a 404 or
/// 406 closes it, by AMQP's rules) is not reused.
/// </summary>
public sealed class ScratchChannels
{
    /// <summary>Channels per connection; the broker allows 2047, MassTransit and the offers use some 40.</summary>
    public const int PerConnection = 32;

    readonly ConditionalWeakTable<IConnection, Pool> _pools = [];

    internal sealed class Pool
    {
        public readonly SemaphoreSlim Slots = new(PerConnection, PerConnection);
        public readonly ConcurrentBag<ConfirmedChannel> Idle = [];
    }

    /// <summary>A channel of <paramref name="connection"/>, with publisher confirms, for one operation; dispose the lease when done.</summary>
    public async Task<Lease> RentAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var pool = _pools.GetValue(connection, _ => new Pool());
        await pool.Slots.WaitAsync(cancellationToken);
        try
        {
            while (pool.Idle.TryTake(out var idle))
            {
                if (idle.Channel.IsOpen)
                    return new Lease(pool, idle);
                await idle.DisposeAsync();
            }
            return new Lease(pool, await ConfirmedChannel.OpenAsync(connection));
        }
        catch
        {
            pool.Slots.Release();
            throw;
        }
    }

    /// <summary>One rented channel: back to the pool when disposed, unless it closed or <see cref="Discard"/> was called.</summary>
    public sealed class Lease : IAsyncDisposable
    {
        readonly Pool _pool;
        bool _discard;

        internal Lease(Pool pool, ConfirmedChannel channel) => (_pool, Confirmed) = (pool, channel);

        public ConfirmedChannel Confirmed { get; }

        public IChannel Channel => Confirmed.Channel;

        /// <summary>Not to be reused (an operation on it failed half-way): it is closed when the lease ends.</summary>
        public void Discard() => _discard = true;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_discard && Confirmed.Channel.IsOpen)
                    _pool.Idle.Add(Confirmed);
                else
                    await Confirmed.DisposeAsync();
            }
            finally
            {
                _pool.Slots.Release();
            }
        }
    }
}
