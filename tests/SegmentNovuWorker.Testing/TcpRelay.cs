using System.Net;
using System.Net.Sockets;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// A broker address that answers only once <see cref="StartAsync"/> is called: it relays a loopback port to the real
/// test broker, so a spec can start a service before "its" broker is up and bring the broker up later.
/// </summary>
public sealed class TcpRelay(IPEndPoint target) : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<TcpClient> _connections = [];
    TcpListener? _listener;

    /// <summary>A free loopback port, chosen now and listened on only from <see cref="StartAsync"/>.</summary>
    public int Port { get; } = FreePort();

    public Task StartAsync()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener);
        return Task.CompletedTask;
    }

    async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(_stop.Token);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(target, _stop.Token);
                lock (_connections)
                    _connections.AddRange([client, upstream]);
                _ = PumpAsync(client.GetStream(), upstream.GetStream());
                _ = PumpAsync(upstream.GetStream(), client.GetStream());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Socket.Shutdown(SocketShutdown.Send);
        }
    }

    static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
                connection.Dispose();
        }
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
