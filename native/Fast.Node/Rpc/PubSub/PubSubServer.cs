using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fast.Net.Ingest;

namespace Fast.Node.Rpc.PubSub;

/// <summary>
/// Solana-compatible WebSocket PubSub (JSON-RPC over RFC 6455) on its own TCP port — by default the
/// RPC port + 1, where Solana clients look (8900 beside 8899). Accepts connections within the caps
/// per remote address and in all (refusals closed at once, counted), runs each as a
/// <see cref="PubSubConnection"/> on the thread pool, and hands subscriptions to the
/// <see cref="PubSubService"/> thread, which the validator's ChainState feeds through
/// <see cref="IChainEvents"/>. Bound to the RPC bind address.
/// </summary>
public sealed class PubSubServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ConnectionsPerAddress _perAddress;
    private readonly ConcurrentDictionary<PubSubConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _accepting;

    public PubSubServer(IPEndPoint bind, IRpcBackend backend, PubSubLimits? limits = null, int maxResponseBytes = JsonRpcProcessor.DefaultMaxResponseBytes)
    {
        Limits = limits ?? new PubSubLimits();
        Counters = new PubSubCounters();
        _perAddress = new ConnectionsPerAddress(Limits.MaxConnectionsPerAddress);
        Service = new PubSubService(backend, Limits, Counters, maxResponseBytes);
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public PubSubLimits Limits { get; }
    public PubSubCounters Counters { get; }

    /// <summary>The PubSub thread; also the <see cref="IChainEvents"/> sink ChainState calls.</summary>
    public PubSubService Service { get; }

    /// <summary>Where the server listens (the real port when bound to port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        Service.Start();
        _listener.Listen(512);
        _accepting = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a connection reset before it was accepted
            }
            IPAddress remote = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (Interlocked.Read(ref Counters.ConnectionsOpen) >= Limits.MaxConnections)
            {
                Interlocked.Increment(ref Counters.ConnectionsRejectedTotal);
                socket.Dispose();
                continue;
            }
            if (!_perAddress.TryOpen(remote))
            {
                Interlocked.Increment(ref Counters.ConnectionsRejectedPerAddress);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            Interlocked.Increment(ref Counters.ConnectionsAccepted);
            Interlocked.Increment(ref Counters.ConnectionsOpen);
            PubSubConnection connection = new(socket, remote, this);
            _connections[connection] = Task.Run(connection.RunAsync);
        }
    }

    /// <summary>Called by a connection when it ends: its subscriptions go, its address slot frees.</summary>
    internal void Closed(PubSubConnection connection)
    {
        Service.TryPost(new PubSubCommand(PubSubCommandKind.Closed, connection, "null", null, default, 0));
        _perAddress.Close(connection.Remote);
        Interlocked.Decrement(ref Counters.ConnectionsOpen);
        _connections.TryRemove(connection, out _);
    }

    /// <summary>Open connections from <paramref name="address"/>.</summary>
    public int OpenConnectionsFrom(IPAddress address) => _perAddress.OpenFrom(address);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_accepting is not null) await _accepting.ConfigureAwait(false);
        foreach (PubSubConnection connection in _connections.Keys)
        {
            connection.Close(CloseCodes.GoingAway);
        }
        var all = Task.WhenAll(_connections.Values);
        await Task.WhenAny(all, Task.Delay(2000)).ConfigureAwait(false);
        foreach (PubSubConnection connection in _connections.Keys) connection.Abort();
        await Task.WhenAny(all, Task.Delay(2000)).ConfigureAwait(false);
        Service.Dispose();
        _stop.Dispose();
    }
}
