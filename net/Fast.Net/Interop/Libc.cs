using System.Runtime.InteropServices;

namespace Fast.Net.Interop;

/// <summary>
/// Linux batch socket calls (recvmmsg/sendmmsg) and their x86-64 struct layouts: one system call
/// moves up to a batch of datagrams, and a datagram larger than its buffer is reported by a flag
/// instead of an exception.
/// </summary>
internal static unsafe partial class Libc
{
    internal const int MsgTrunc = 0x20;
    internal const int MsgWaitForOne = 0x10000;
    internal const int MsgDontWait = 0x40;
    internal const int EAGAIN = 11;
    internal const int EINTR = 4;
    internal const int ENOBUFS = 105;
    internal const int SolUdp = 17;
    internal const int UdpSegment = 103;

    /// <summary>A control message header (<c>struct cmsghdr</c>); its data follows at the next 8-byte boundary.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CMsgHdr
    {
        internal nuint Length;
        internal int Level;
        internal int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        internal void* Base;
        internal nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        internal void* Name;
        internal uint NameLength;
        internal IoVec* Iov;
        internal nuint IovLength;
        internal void* Control;
        internal nuint ControlLength;
        internal int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MMsgHdr
    {
        internal MsgHdr Header;
        internal uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    internal static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    internal static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    internal static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);
}
