using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fast.Core.Collections;
using Fast.Core.Platform;
using Fast.Net.Interop;
using Fast.Net.Packets;

namespace Fast.Net.Ingest;

/// <summary>
/// The UDP side of transaction ingest: one named thread (optionally pinned) receives datagrams in
/// batches with recvmmsg straight into <see cref="PacketPool"/> slots and hands them to the next
/// stage's queue. Never blocks on the next stage: a full queue or an empty pool drops the packet and
/// counts it. Nothing here allocates per packet. Started once, stopped once.
/// </summary>
public sealed unsafe class UdpIngest : IDisposable
{
    private const int SockAddrStorage = 128;
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    private readonly Socket _socket;
    private readonly PacketPool _pool;
    private readonly BoundedQueue<Packet> _output;
    private readonly IngestCounters _counters;
    private readonly int _batch;
    private readonly int? _core;
    private readonly int[] _held;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public UdpIngest(IPEndPoint bind, PacketPool pool, BoundedQueue<Packet> output, IngestCounters counters, int batch = 64, int? core = null, int receiveBufferBytes = 32 << 20)
    {
        _pool = pool;
        _output = output;
        _counters = counters;
        _batch = Math.Clamp(batch, 1, 1024);
        _core = core;
        _held = new int[_batch];
        Array.Fill(_held, -1);
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(bind);
        // Wake up regularly so Stop() is noticed even when no packet arrives.
        _socket.ReceiveTimeout = 200;
        SetReceiveBuffer(receiveBufferBytes);
        _thread = new Thread(Run) { Name = "fast-tpu-udp", IsBackground = true };
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Start() => _thread.Start();

    private void SetReceiveBuffer(int bytes)
    {
        // SO_RCVBUFFORCE lifts the rmem_max cap when we may (root); otherwise take what the kernel allows.
        int value = bytes;
        if (setsockopt((int)_socket.Handle, SolSocket, SoRcvBufForce, &value, sizeof(int)) != 0) _socket.ReceiveBufferSize = bytes;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, void* value, int length);

    private void Run()
    {
        if (_core is int core) CpuAffinity.TryPinCurrentThread(core, out _);
        int fd = (int)_socket.Handle;
        Libc.MMsgHdr* messages = stackalloc Libc.MMsgHdr[_batch];
        Libc.IoVec* vectors = stackalloc Libc.IoVec[_batch];
        byte* names = stackalloc byte[_batch * SockAddrStorage];
        byte* scratch = stackalloc byte[PacketPool.SlotSize];

        while (!_stopping)
        {
            int ready = FillHeld();
            for (int i = 0; i < Math.Max(ready, 1); i++)
            {
                // With no free slot, still drain the socket (into scratch) so drops are counted here, not in the kernel.
                vectors[i].Base = _held[i] >= 0 ? _pool.SlotPointer(_held[i]) : scratch;
                vectors[i].Length = PacketPool.SlotSize;
                messages[i].Header = new Libc.MsgHdr
                {
                    Name = names + i * SockAddrStorage,
                    NameLength = SockAddrStorage,
                    Iov = &vectors[i],
                    IovLength = 1,
                };
                messages[i].Length = 0;
            }
            int count = Libc.RecvMMsg(fd, messages, (uint)(ready > 0 ? ready : 1), Libc.MsgWaitForOne, null);
            if (count <= 0) continue; // timeout (EAGAIN), EINTR, or the socket closing under Stop()

            Interlocked.Add(ref _counters.UdpPackets, count);
            for (int i = 0; i < count; i++)
            {
                int slot = _held[i];
                uint length = messages[i].Length;
                if (slot < 0)
                {
                    Interlocked.Increment(ref _counters.DroppedNoBuffer);
                    continue;
                }
                if ((messages[i].Header.Flags & Libc.MsgTrunc) != 0 || length == 0 || length > Fast.Core.Transactions.TransactionLimits.MaxTransactionSize)
                {
                    Interlocked.Increment(ref _counters.DroppedMalformedSize);
                    continue; // the slot stays held for the next receive
                }
                if (_output.TryEnqueue(new Packet(slot, (ushort)length, PacketSource.Udp)))
                {
                    _held[i] = -1; // now owned by the next stage
                    Interlocked.Increment(ref _counters.Accepted);
                }
                else
                {
                    Interlocked.Increment(ref _counters.DroppedQueueFull);
                }
            }
        }
        for (int i = 0; i < _batch; i++)
        {
            if (_held[i] >= 0) _pool.Return(_held[i]);
            _held[i] = -1;
        }
    }

    /// <summary>Rents slots for the empty places of the receive batch, compacting held slots to the front.</summary>
    private int FillHeld()
    {
        int ready = 0;
        for (int i = 0; i < _batch; i++)
        {
            if (_held[i] >= 0) _held[ready++] = _held[i];
        }
        for (int i = ready; i < _batch; i++) _held[i] = -1;
        while (ready < _batch && _pool.TryRent(out int slot)) _held[ready++] = slot;
        return ready;
    }

    public void Stop()
    {
        if (_stopping) return;
        _stopping = true;
        if (_thread.IsAlive) _thread.Join();
    }

    public void Dispose()
    {
        Stop();
        _socket.Dispose();
    }
}
