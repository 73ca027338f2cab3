using RabbitMQ.Client;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// A process's one connection beside the bus, for the small things it asks the broker itself (consumer counts, queue
/// depths, its presence among the workers): opened when first needed, replaced when lost, shared by every asker.
/// </summary>
public sealed class SideConnection(BrokerConnections connections, string purpose) : IAsyncDisposable
{
    readonly SemaphoreSlim _opening = new(1, 1);
    IConnection? _connection;

    /// <summary>The open connection, or a new one when there is none; throws when no node answers.</summary>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { IsOpen: true } open)
            return open;
        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } opened)
                return opened;
            if (_connection is not null)
                await _connection.DisposeAsync();
            _connection = null;
            var connection = await connections.OpenAsync(purpose, cancellationToken);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Runs <paramref name="use"/> on a channel of its own, closed after (a refused operation closes its channel).</summary>
    public async Task<T> WithChannelAsync<T>(Func<IChannel, Task<T>> use, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await use(channel);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _opening.Dispose();
    }
}
