using System.Net.Sockets;
using RabbitMQ.Client;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// The socket RabbitMQ.Client opens for the bus: a failed write ends the connection at once, and what is written after
/// it is dropped instead of queued for good.
/// </summary>
/// <remarks>
/// Written by hand because the client we can use has the bug and no release here fixes it. RabbitMQ.Client 7.2.2's
/// socket write loop ends at the first failed write (the broker closed the connection) and nothing completes its bounded
/// frame queue (128 frames), so every later ack, close-ok and publish waits on that queue for good. The connection's
/// shutdown waits for the consumer dispatchers, which wait for those deliveries: 30–50 s after a broker restart under
/// load, seen in two process dumps (docs/design.md, "After a broker restart"). Upstream drains the queue in the loop's
/// <c>finally</c> after 7.2.2 (rabbitmq-dotnet-client, "Move WriteLoopAsync drain loop from catch to finally").
/// Dropping is safe: the connection is dead, nothing written to it could arrive, and the broker puts every delivery it
/// did not see acked back in its queue (Novu's idempotency key makes the redelivery a no-op where Novu had answered).
/// </remarks>
public static class DeadConnectionWrites
{
    /// <summary>For <c>ConnectionFactory.SocketFactory</c>: the client's default socket (Nagle off) with this stream.</summary>
    public static ITcpClient SocketFactory(AddressFamily family) =>
        new Client(new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });

    sealed class Client(Socket socket) : TcpClientAdapter(socket)
    {
        public override NetworkStream GetStream() => new EndingStream(Client);
    }

    /// <summary>
    /// After its first failed write it shuts the socket both ways, so the client's read loop ends and the connection's
    /// shutdown starts now rather than after missed heartbeats; later writes return at once.
    /// </summary>
    sealed class EndingStream(Socket socket) : NetworkStream(socket, ownsSocket: false)
    {
        int _broken;

        bool Broken => Volatile.Read(ref _broken) == 1;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Broken)
                return;
            try
            {
                await base.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsConnectionGone(exception))
            {
                Break();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Broken)
                return;
            try
            {
                base.Write(buffer);
            }
            catch (Exception exception) when (IsConnectionGone(exception))
            {
                Break();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        static bool IsConnectionGone(Exception exception) => exception is IOException or SocketException or ObjectDisposedException;

        void Break()
        {
            if (Interlocked.Exchange(ref _broken, 1) == 1)
                return;
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // already closed: the read loop has ended or will
            }
        }
    }
}
