using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fast.Net.Interop;

namespace Fast.Net.Send;

/// <summary>
/// Sends many datagrams to one destination with sendmmsg: one system call per batch of up to 64
/// packets, straight from one buffer the caller owns (load generators keep pre-signed
/// transactions in one; it is pinned only for the duration of the call). No allocation per send. One instance per sending thread.
/// </summary>
public sealed unsafe class UdpBatchSender : IDisposable
{
    public const int MaxBatch = 64;

    private readonly Socket _socket;
    private readonly byte[] _address;
    private readonly Libc.MMsgHdr* _messages;
    private readonly Libc.IoVec* _vectors;
    private readonly byte* _name;

    public UdpBatchSender(IPEndPoint destination, int sendBufferBytes = 8 << 20)
    {
        _socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = sendBufferBytes };
        SocketAddress address = destination.Serialize();
        _address = new byte[address.Size];
        for (int i = 0; i < address.Size; i++) _address[i] = address[i];
        _messages = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(MaxBatch * sizeof(Libc.MMsgHdr)));
        _vectors = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(MaxBatch * sizeof(Libc.IoVec)));
        _name = (byte*)NativeMemory.AllocZeroed((nuint)_address.Length);
        _address.CopyTo(new Span<byte>(_name, _address.Length));
    }

    /// <summary>
    /// Sends packets [first, first + count) of <paramref name="buffer"/> described by
    /// <paramref name="offsets"/>/<paramref name="lengths"/>. Returns how many the kernel took
    /// (fewer when its send buffer is full; the caller may retry the rest).
    /// </summary>
    public int Send(byte[] buffer, ReadOnlySpan<int> offsets, ReadOnlySpan<ushort> lengths, int first, int count)
    {
        count = Math.Min(count, MaxBatch);
        fixed (byte* data = buffer)
        {
            for (int i = 0; i < count; i++)
            {
                int offset = offsets[first + i];
                ushort length = lengths[first + i];
                if ((uint)offset + length > (uint)buffer.Length) throw new ArgumentOutOfRangeException(nameof(offsets));
                _vectors[i].Base = data + offset;
                _vectors[i].Length = length;
                _messages[i].Header = new Libc.MsgHdr { Name = _name, NameLength = (uint)_address.Length, Iov = &_vectors[i], IovLength = 1 };
            }
            int sent = Libc.SendMMsg((int)_socket.Handle, _messages, (uint)count, 0);
            return Math.Max(sent, 0);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_name);
    }
}
