using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fast.Net.Interop;

namespace Fast.Net.Send;

/// <summary>
/// Sends many datagrams to one destination: one system call per batch of up to 64 packets, straight
/// from one buffer the caller owns (load generators keep pre-signed transactions in one; it is pinned
/// only for the duration of the call). No allocation per send. One instance per sending thread.
/// <para>A batch whose packets all have one length goes as one UDP segmentation offload send (Linux
/// <c>UDP_SEGMENT</c>): one datagram-sized piece per packet, cut by the kernel, which a receiver without
/// <c>UDP_GRO</c> gets as the same separate datagrams sendmmsg would give it — but the sender's stack
/// (and on loopback the whole receive path up to the socket) runs once per batch instead of once per
/// packet. Where the kernel refuses it, and for mixed lengths, batches go by sendmmsg.</para>
/// </summary>
public sealed unsafe class UdpBatchSender : IDisposable
{
    public const int MaxBatch = 64;

    /// <summary>The most payload one segmented send carries (a UDP datagram's limit, less headroom).</summary>
    private const int MaxSegmentedBytes = 65_000;

    private const int ControlBytes = 24; // CMSG_SPACE(sizeof(ushort))

    private readonly Socket _socket;
    private readonly byte[] _address;
    private readonly Libc.MMsgHdr* _messages;
    private readonly Libc.IoVec* _vectors;
    private readonly byte* _name;
    private readonly byte* _control;
    private bool _segmentation;

    /// <param name="destination">Where every datagram goes.</param>
    /// <param name="sendBufferBytes">The socket's send buffer.</param>
    /// <param name="segmentation">Send equal-length batches with UDP segmentation offload (falls back by itself where refused).</param>
    public UdpBatchSender(IPEndPoint destination, int sendBufferBytes = 8 << 20, bool segmentation = true)
    {
        _socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = sendBufferBytes };
        SocketAddress address = destination.Serialize();
        _address = new byte[address.Size];
        for (int i = 0; i < address.Size; i++) _address[i] = address[i];
        _messages = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(MaxBatch * sizeof(Libc.MMsgHdr)));
        _vectors = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(MaxBatch * sizeof(Libc.IoVec)));
        _name = (byte*)NativeMemory.AllocZeroed((nuint)_address.Length);
        _address.CopyTo(new Span<byte>(_name, _address.Length));
        _control = (byte*)NativeMemory.AllocZeroed(ControlBytes);
        _segmentation = segmentation && OperatingSystem.IsLinux();
    }

    /// <summary>Whether equal-length batches still go as one segmented send (false once the kernel refused it).</summary>
    public bool Segmentation => _segmentation;

    /// <summary>Segmented sends made (each one system call for a whole batch).</summary>
    public long SegmentedSends { get; private set; }

    /// <summary>
    /// Sends packets [first, first + count) of <paramref name="buffer"/> described by
    /// <paramref name="offsets"/>/<paramref name="lengths"/>. Returns how many the kernel took
    /// (fewer when its send buffer is full; the caller may retry the rest).
    /// </summary>
    public int Send(byte[] buffer, ReadOnlySpan<int> offsets, ReadOnlySpan<ushort> lengths, int first, int count)
    {
        count = Math.Min(count, MaxBatch);
        if (count <= 0) return 0;
        fixed (byte* data = buffer)
        {
            bool sameLength = true;
            ushort length0 = lengths[first];
            for (int i = 0; i < count; i++)
            {
                int offset = offsets[first + i];
                ushort length = lengths[first + i];
                if ((uint)offset + length > (uint)buffer.Length) throw new ArgumentOutOfRangeException(nameof(offsets));
                _vectors[i].Base = data + offset;
                _vectors[i].Length = length;
                sameLength &= length == length0;
            }
            if (_segmentation && sameLength && count > 1 && length0 > 0 && count * length0 <= MaxSegmentedBytes)
            {
                int segmented = SendSegmented(count, length0);
                if (segmented >= 0) return segmented;
            }
            for (int i = 0; i < count; i++)
            {
                _messages[i].Header = new Libc.MsgHdr { Name = _name, NameLength = (uint)_address.Length, Iov = &_vectors[i], IovLength = 1 };
            }
            int sent = Libc.SendMMsg((int)_socket.Handle, _messages, (uint)count, 0);
            return Math.Max(sent, 0);
        }
    }

    /// <summary>One sendmsg of the <paramref name="count"/> vectors cut into <paramref name="segment"/>-byte datagrams: count, 0 (buffer full), or −1 (refused: segmentation is now off).</summary>
    private int SendSegmented(int count, ushort segment)
    {
        var header = (Libc.CMsgHdr*)_control;
        header->Length = (nuint)(sizeof(Libc.CMsgHdr) + sizeof(ushort));
        header->Level = Libc.SolUdp;
        header->Type = Libc.UdpSegment;
        *(ushort*)(_control + sizeof(Libc.CMsgHdr)) = segment;
        Libc.MsgHdr message = new()
        {
            Name = _name,
            NameLength = (uint)_address.Length,
            Iov = _vectors,
            IovLength = (nuint)count,
            Control = _control,
            ControlLength = ControlBytes,
        };
        if (Libc.SendMsg((int)_socket.Handle, &message, 0) >= 0)
        {
            SegmentedSends++;
            return count;
        }
        int error = Marshal.GetLastPInvokeError();
        if (error is Libc.EAGAIN or Libc.ENOBUFS or Libc.EINTR) return 0;
        _segmentation = false; // EINVAL, EIO, ENOPROTOOPT...: this kernel or path does not segment
        return -1;
    }

    public void Dispose()
    {
        _socket.Dispose();
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_name);
        NativeMemory.Free(_control);
    }
}
