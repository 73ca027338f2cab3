using System.Net;
using System.Net.Sockets;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.UnitTests.Messaging;

/// <summary>
/// The bus's socket (<see cref="DeadConnectionWrites"/>): once the broker's end is gone, a write neither throws (which
/// ended RabbitMQ.Client 7.2.2's write loop and left its frame queue waiting for good) nor waits, and the socket is shut,
/// so the client's read loop ends and its connection shuts down now. Real loopback sockets; the broker's end is reset, as a restarting node does.
/// </summary>
public sealed class DeadConnectionWritesSpecs
{
    sealed record Connection(RabbitMQ.Client.ITcpClient Client, NetworkStream Stream, Socket Broker, TcpListener Listener) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Broker.Dispose();
            Listener.Stop();
        }
    }

    static async Task<Connection> ConnectAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = DeadConnectionWrites.SocketFactory(AddressFamily.InterNetwork);
        var accept = listener.AcceptSocketAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var broker = await accept;
        // The stream does not own the socket (as RabbitMQ.Client's own adapter): the client closes it.
        return new Connection(client, client.GetStream(), broker, listener);
    }

    static void Reset(Socket broker)
    {
        broker.LingerState = new LingerOption(true, 0); // close with RST: writes to it fail, as after a broker restart
        broker.Close();
    }

    [Fact]
    public async Task Should_write_through_while_the_connection_lives()
    {
        using var connection = await ConnectAsync();
        await connection.Stream.WriteAsync(new byte[] { 1, 2, 3 });
        var received = new byte[3];
        var count = 0;
        while (count < 3)
            count += await connection.Broker.ReceiveAsync(received.AsMemory(count));
        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    [Fact]
    public async Task Should_drop_writes_without_failing_once_the_broker_end_is_gone()
    {
        using var connection = await ConnectAsync();
        var stream = connection.Stream;
        Reset(connection.Broker);

        // Far more than the client's 128-frame queue: with a stream that throws, the write loop would stop at the first
        // failure and the rest would wait for good. Here each returns, the first failures included.
        for (var i = 0; i < 1000; i++)
            await stream.WriteAsync(new byte[4096]);
        stream.Write(new byte[4096]);
        await stream.WriteAsync(new byte[4096], 0, 4096);

        // And the socket is shut both ways: a read ends instead of waiting for the heartbeats to go missing.
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
