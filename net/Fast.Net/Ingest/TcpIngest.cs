using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Fast.Core.Collections;
using Fast.Core.Transactions;
using Fast.Net.Packets;

namespace Fast.Net.Ingest;

/// <summary>
/// The TCP side of transaction ingest: clients that want delivery without UDP loss keep a
/// connection and send frames of <c>u16 length (LE) | transaction</c>. Each connection is read
/// with System.IO.Pipelines; a frame with length 0 or over 1,232 closes the connection (counted),
/// as does a connection that completes no frame within the frame timeout of connecting or of its
/// previous frame — an idle connection, or one trickling bytes (slowloris), never holds a slot for
/// long. Connections are capped in all and per remote address (both counted when refused). Frames go into
/// <see cref="PacketPool"/> slots and onto the same queue as UDP packets, with the same drop rules.
/// Runs on the thread pool (accept loop + one async loop per connection).
/// </summary>
public sealed class TcpIngest : IAsyncDisposable
{
    public const int FrameHeaderBytes = 2;

    private readonly Socket _listener;
    private readonly PacketPool _pool;
    private readonly BoundedQueue<Packet> _output;
    private readonly IngestCounters _counters;
    private readonly int _maxConnections;
    private readonly TimeSpan _frameTimeout;
    private readonly ConnectionsPerAddress _perAddress;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private int _open;
    private Task? _acceptLoop;

    /// <summary>Default of <c>--tpu-tcp-frame-timeout-ms</c>: a frame (1,232 bytes at most) must complete within 10 s.</summary>
    public static readonly TimeSpan DefaultFrameTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default of <c>--max-tpu-connections-per-ip</c> (Solana allows an unstaked peer 8 QUIC connections).</summary>
    public const int DefaultMaxConnectionsPerAddress = 8;

    public TcpIngest(IPEndPoint bind, PacketPool pool, BoundedQueue<Packet> output, IngestCounters counters, int maxConnections = 256, TimeSpan? frameTimeout = null,
        int maxConnectionsPerAddress = DefaultMaxConnectionsPerAddress)
    {
        _pool = pool;
        _output = output;
        _counters = counters;
        _maxConnections = maxConnections;
        _frameTimeout = frameTimeout ?? DefaultFrameTimeout;
        _perAddress = new ConnectionsPerAddress(maxConnectionsPerAddress);
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(512);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int OpenConnections => Volatile.Read(ref _open);

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            if (Interlocked.Increment(ref _open) > _maxConnections)
            {
                Interlocked.Decrement(ref _open);
                Interlocked.Increment(ref _counters.TcpConnectionsRejected);
                client.Dispose();
                continue;
            }
            IPAddress? remote = (client.RemoteEndPoint as IPEndPoint)?.Address;
            if (remote is null || !_perAddress.TryOpen(remote))
            {
                Interlocked.Decrement(ref _open);
                Interlocked.Increment(ref _counters.TcpConnectionsRejectedPerAddress);
                client.Dispose();
                continue;
            }
            Interlocked.Increment(ref _counters.TcpConnectionsAccepted);
            client.NoDelay = true;
            Task connection = HandleConnectionAsync(client, remote);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task HandleConnectionAsync(Socket client, IPAddress remote)
    {
        // The deadline moves only when a frame completes: bytes trickled one at a time do not extend it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        await using NetworkStream stream = new(client, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048));
        try
        {
            deadline.CancelAfter(_frameTimeout);
            while (true)
            {
                ReadResult result = await reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool violation = false;
                int frames = 0;
                while (TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame, out violation))
                {
                    Deliver(frame);
                    frames++;
                }
                if (frames > 0) deadline.CancelAfter(_frameTimeout);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (violation)
                {
                    Interlocked.Increment(ref _counters.TcpConnectionsClosedForError);
                    Interlocked.Increment(ref _counters.DroppedMalformedSize);
                    break;
                }
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested) Interlocked.Increment(ref _counters.TcpConnectionsTimedOut);
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            _perAddress.Close(remote);
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Takes one complete frame off the front; <paramref name="violation"/> when the length field is illegal.</summary>
    internal static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out bool violation)
    {
        frame = default;
        violation = false;
        if (buffer.Length < FrameHeaderBytes) return false;
        Span<byte> header = stackalloc byte[FrameHeaderBytes];
        buffer.Slice(0, FrameHeaderBytes).CopyTo(header);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(header);
        if (length == 0 || length > TransactionLimits.MaxTransactionSize)
        {
            violation = true;
            return false;
        }
        if (buffer.Length < FrameHeaderBytes + length) return false;
        frame = buffer.Slice(FrameHeaderBytes, length);
        buffer = buffer.Slice(FrameHeaderBytes + length);
        return true;
    }

    private void Deliver(in ReadOnlySequence<byte> frame)
    {
        Interlocked.Increment(ref _counters.TcpFrames);
        if (!_pool.TryRent(out int slot))
        {
            Interlocked.Increment(ref _counters.DroppedNoBuffer);
            return;
        }
        frame.CopyTo(_pool.Slot(slot));
        if (_output.TryEnqueue(new Packet(slot, (ushort)frame.Length, PacketSource.Tcp)))
        {
            Interlocked.Increment(ref _counters.Accepted);
        }
        else
        {
            _pool.Return(slot);
            Interlocked.Increment(ref _counters.DroppedQueueFull);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Writes one frame (client side): u16 length then the transaction.</summary>
    public static int WriteFrame(ReadOnlySpan<byte> transaction, Span<byte> destination)
    {
        if (transaction.Length is 0 or > TransactionLimits.MaxTransactionSize) throw new ArgumentException("a frame holds 1..1232 bytes", nameof(transaction));
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)transaction.Length);
        transaction.CopyTo(destination[FrameHeaderBytes..]);
        return FrameHeaderBytes + transaction.Length;
    }
}
