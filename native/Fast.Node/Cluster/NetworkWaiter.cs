using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Fast.Node.Cluster;

/// <summary>
/// How the cluster network thread waits for work without polling: one <c>poll(2)</c> over its UDP
/// sockets and an <c>eventfd</c> doorbell that the threads feeding it (the leader's broadcaster) ring
/// after queueing, with a timeout until its next timer tick. An idle node then costs a wake-up per tick
/// instead of a thousand sleeps and three exceptions a millisecond (measured: the 4 idle nodes of a
/// devnet spent 0.19 of a core in their network threads before). Receives go through <c>recvfrom(2)</c>
/// with <c>MSG_DONTWAIT</c>, so an empty socket is a return code, not a thrown exception. Linux only
/// (the validator's platform); where <c>eventfd</c> is missing it degrades to a 1 ms sleep.
/// Threads: <see cref="Wait"/>, <see cref="TryReceive"/> on the network thread; <see cref="Ring"/> from any.
/// </summary>
internal sealed unsafe partial class NetworkWaiter : IDisposable
{
    private const short PollIn = 0x1;
    private const int EfdNonBlock = 0x800, EfdCloexec = 0x80000;
    private const int MsgDontWait = 0x40, MsgTrunc = 0x20;
    private const int EAgain = 11, EIntr = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static partial nint RecvFrom(int fd, byte* buffer, nuint length, int flags, byte* address, uint* addressLength);

    private readonly Socket[] _sockets;
    private readonly int _doorbell;
    private int _waiting;

    public NetworkWaiter(params Socket[] sockets)
    {
        _sockets = sockets;
        _doorbell = OperatingSystem.IsLinux() ? EventFd(0, EfdNonBlock | EfdCloexec) : -1;
    }

    /// <summary>Wakes the network thread if it waits (or is about to): call after queueing work for it.</summary>
    public void Ring()
    {
        Interlocked.MemoryBarrier(); // the caller's enqueue is visible before _waiting is read
        if (_doorbell < 0 || Volatile.Read(ref _waiting) == 0) return;
        ulong one = 1;
        Write(_doorbell, &one, sizeof(ulong));
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a datagram on any socket or a ring. <paramref name="hasWork"/>
    /// is checked after announcing the wait, so a ring that raced it is never lost.
    /// </summary>
    public void Wait(int timeoutMs, Func<bool> hasWork)
    {
        if (_doorbell < 0)
        {
            Thread.Sleep(1);
            return;
        }
        Interlocked.Exchange(ref _waiting, 1);
        try
        {
            if (hasWork()) return;
            PollFd* fds = stackalloc PollFd[_sockets.Length + 1];
            for (int i = 0; i < _sockets.Length; i++) fds[i] = new PollFd { Fd = (int)_sockets[i].Handle, Events = PollIn };
            fds[_sockets.Length] = new PollFd { Fd = _doorbell, Events = PollIn };
            Poll(fds, (nuint)(_sockets.Length + 1), Math.Max(0, timeoutMs));
            if (fds[_sockets.Length].Revents != 0)
            {
                ulong count;
                Read(_doorbell, &count, sizeof(ulong));
            }
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    /// <summary>
    /// One datagram from <paramref name="socket"/> without blocking: its length (a datagram longer than
    /// <paramref name="buffer"/> gives its true, larger length, for the caller to drop), 0 when none is waiting,
    /// −1 on a receive error (an ICMP error from an earlier send). The sender's IPv4 address and port land in
    /// <paramref name="ipv4"/> and <paramref name="port"/>.
    /// </summary>
    public static int TryReceive(Socket socket, Span<byte> buffer, out uint ipv4, out ushort port)
    {
        byte* address = stackalloc byte[16];
        uint addressLength = 16;
        nint n;
        fixed (byte* b = buffer)
        {
            do n = RecvFrom((int)socket.Handle, b, (nuint)buffer.Length, MsgDontWait | MsgTrunc, address, &addressLength);
            while (n < 0 && Marshal.GetLastPInvokeError() == EIntr);
        }
        if (n < 0)
        {
            ipv4 = 0;
            port = 0;
            return Marshal.GetLastPInvokeError() == EAgain ? 0 : -1;
        }
        port = (ushort)(address[2] << 8 | address[3]);
        ipv4 = (uint)(address[4] << 24 | address[5] << 16 | address[6] << 8 | address[7]);
        return n == 0 ? -1 : (int)n; // an empty datagram is no packet of ours: counted as an error, not as "nothing waiting"
    }

    public void Dispose()
    {
        if (_doorbell >= 0) Close(_doorbell);
    }
}
