using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// One WebSocket client of the PubSub server: the opening handshake (within
/// <see cref="PubSubLimits.HandshakeTimeout"/>), then a receive loop that decodes frames
/// (<see cref="WebSocketMessageReader"/>), answers pings, and turns each text message into a
/// subscribe/unsubscribe command for the PubSub thread (PubSubConnection.Requests.cs); and a send
/// loop that frames queued messages. The send queue is bounded in bytes: a client that stops reading
/// is dropped when its queue passes <see cref="PubSubLimits.MaxQueuedBytesPerConnection"/> (or the
/// server-wide <see cref="PubSubLimits.MaxQueuedBytesTotal"/> while it is behind). Threads: its two
/// loops run on the thread pool; <see cref="Enqueue"/> is called from them and from the PubSub thread.
/// </summary>
public sealed partial class PubSubConnection
{
    private readonly Socket _socket;
    private readonly PubSubServer _server;
    private readonly PubSubLimits _limits;
    private readonly PubSubCounters _counters;
    private readonly ConcurrentQueue<Outbound> _outbox = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly WebSocketMessageReader _reader;
    private long _queuedBytes;
    private int _closing;

    internal PubSubConnection(Socket socket, IPAddress remote, PubSubServer server)
    {
        _socket = socket;
        _server = server;
        _limits = server.Limits;
        _counters = server.Counters;
        _reader = new WebSocketMessageReader(_limits.MaxMessageBytes);
        Remote = remote;
    }

    public IPAddress Remote { get; }

    /// <summary>Bytes queued for this client and not yet handed to the socket.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>True once the connection is closing or closed: nothing more is queued.</summary>
    public bool IsClosed => Volatile.Read(ref _closing) != 0 || _stop.IsCancellationRequested;

    internal async Task RunAsync()
    {
        Task? sending = null;
        try
        {
            byte[] receive = new byte[_reader.ReceiveBufferBytes];
            int filled = await HandshakeAsync(receive).ConfigureAwait(false);
            if (filled < 0) return;
            sending = SendLoopAsync();
            await ReceiveLoopAsync(receive, filled).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping.
        }
        finally
        {
            if (sending is not null && Volatile.Read(ref _closing) != 0)
            {
                // Let a queued close frame go out, briefly.
                await Task.WhenAny(sending, Task.Delay(1000)).ConfigureAwait(false);
            }
            Abort();
            DrainOutbox();
            _server.Closed(this);
            _socket.Dispose();
        }
    }

    /// <summary>Reads and answers the opening handshake; returns how many bytes after it are already in <paramref name="receive"/>, or -1 when refused.</summary>
    private async Task<int> HandshakeAsync(byte[] receive)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_limits.HandshakeTimeout);
        int filled = 0;
        int window = Math.Min(receive.Length, WebSocketHandshake.MaxHeadBytes);
        try
        {
            while (true)
            {
                HandshakeStatus status = WebSocketHandshake.TryParse(receive.AsSpan(0, filled), out int headLength, out string key);
                if (status == HandshakeStatus.Ok)
                {
                    await _socket.SendAsync(WebSocketHandshake.Accept(key), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    int rest = filled - headLength;
                    Buffer.BlockCopy(receive, headLength, receive, 0, rest);
                    return rest;
                }
                if (status != HandshakeStatus.NeedMore || filled == window)
                {
                    Interlocked.Increment(ref _counters.HandshakesRefused);
                    await _socket.SendAsync(WebSocketHandshake.Refuse(status == HandshakeStatus.NeedMore ? HandshakeStatus.TooLarge : status), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    return -1;
                }
                int read = await _socket.ReceiveAsync(receive.AsMemory(filled, window - filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0) return -1;
                filled += read;
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _counters.HandshakesTimedOut);
            return -1;
        }
    }

    private async Task ReceiveLoopAsync(byte[] receive, int filled)
    {
        while (true)
        {
            int start = 0;
            while (true)
            {
                WebSocketDecodeStatus status = _reader.TryRead(receive.AsSpan(start, filled - start), out int consumed, out WebSocketMessageKind kind, out _);
                if (status == WebSocketDecodeStatus.NeedMore) break;
                if (status != WebSocketDecodeStatus.Ok)
                {
                    if (status == WebSocketDecodeStatus.MessageTooLarge) Interlocked.Increment(ref _counters.MessagesTooLarge);
                    else Interlocked.Increment(ref _counters.ProtocolErrors);
                    Close(WebSocketFrameCodec.CloseCodeFor(status));
                    return;
                }
                start += consumed;
                switch (kind)
                {
                    case WebSocketMessageKind.Text:
                        HandleRequest(_reader.Message);
                        break;
                    case WebSocketMessageKind.Binary:
                        // JSON-RPC is text; Solana's server answers binary with a close too.
                        Interlocked.Increment(ref _counters.ProtocolErrors);
                        Close(1003);
                        return;
                    case WebSocketMessageKind.Ping:
                        EnqueueControl(new Outbound(OutboundKind.Pong, _reader.ControlPayload.ToArray()));
                        break;
                    case WebSocketMessageKind.Close:
                        Close(_reader.CloseCode == 1005 ? CloseCodes.Normal : _reader.CloseCode);
                        return;
                }
                if (IsClosed) return;
            }
            if (start > 0)
            {
                Buffer.BlockCopy(receive, start, receive, 0, filled - start);
                filled -= start;
            }
            int read = await _socket.ReceiveAsync(receive.AsMemory(filled), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            if (read == 0) return;
            filled += read;
        }
    }

    private async Task SendLoopAsync()
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                await _ready.WaitAsync(_stop.Token).ConfigureAwait(false);
                while (_outbox.TryDequeue(out Outbound message))
                {
                    int payload = message.PayloadLength;
                    int frame = WebSocketFrameCodec.HeaderLength(payload) + payload;
                    if (frame > buffer.Length) buffer = new byte[(int)Math.Min(Array.MaxLength, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)frame))];
                    int header = WebSocketFrameCodec.WriteHeader(buffer, message.Opcode, payload);
                    message.WritePayload(buffer.AsSpan(header));
                    try
                    {
                        int sent = 0;
                        while (sent < frame) sent += await _socket.SendAsync(buffer.AsMemory(sent, frame - sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Release(message.QueuedBytes);
                    }
                    if (message.Kind == OutboundKind.Close)
                    {
                        _socket.Shutdown(SocketShutdown.Send);
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>
    /// Queues <paramref name="message"/> for the client; false when the connection is closing, or when
    /// it would pass its queue bound (the client is not reading: it is dropped, counted).
    /// </summary>
    public bool Enqueue(in Outbound message)
    {
        if (IsClosed) return false;
        long size = message.QueuedBytes;
        long mine = Interlocked.Add(ref _queuedBytes, size);
        long total = Interlocked.Add(ref _counters.QueuedBytes, size);
        if (mine > _limits.MaxQueuedBytesPerConnection || (total > _limits.MaxQueuedBytesTotal && mine > size))
        {
            Release(size);
            Interlocked.Increment(ref _counters.SlowConsumersDropped);
            Abort();
            return false;
        }
        _outbox.Enqueue(message);
        _ready.Release();
        if (IsClosed) DrainOutbox(); // closed meanwhile: its final drain may have run before this message arrived
        return true;
    }

    /// <summary>Releases what is still queued (the connection is closed: it will never be sent).</summary>
    private void DrainOutbox()
    {
        while (_outbox.TryDequeue(out Outbound left)) Release(left.QueuedBytes);
    }

    /// <summary>Pongs and close frames go out even past the bounds (they are small and a closing connection sends nothing else).</summary>
    private void EnqueueControl(in Outbound message)
    {
        if (IsClosed) return;
        Interlocked.Add(ref _queuedBytes, message.QueuedBytes);
        Interlocked.Add(ref _counters.QueuedBytes, message.QueuedBytes);
        _outbox.Enqueue(message);
        _ready.Release();
    }

    /// <summary>Sends a close frame with <paramref name="code"/> and stops queuing anything after it.</summary>
    public void Close(ushort code)
    {
        if (IsClosed) return;
        byte[] payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        EnqueueControl(new Outbound(OutboundKind.Close, payload));
        Volatile.Write(ref _closing, 1);
    }

    /// <summary>Drops the connection at once (no close frame): the server is stopping, or the client fell too far behind.</summary>
    public void Abort()
    {
        Volatile.Write(ref _closing, 1);
        if (_stop.IsCancellationRequested) return;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Release(long bytes)
    {
        Interlocked.Add(ref _queuedBytes, -bytes);
        Interlocked.Add(ref _counters.QueuedBytes, -bytes);
    }
}
