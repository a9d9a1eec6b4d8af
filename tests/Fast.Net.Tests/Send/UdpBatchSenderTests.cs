using System.Net;
using System.Net.Sockets;
using Fast.Net.Send;
using Xunit;

namespace Fast.Net.Tests.Send;

public class UdpBatchSenderTests
{
    private const int Stride = 256;

    private static (byte[] Buffer, int[] Offsets, ushort[] Lengths) Packets(int count, Func<int, int> lengthOf)
    {
        byte[] buffer = new byte[count * Stride];
        int[] offsets = new int[count];
        ushort[] lengths = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            offsets[i] = i * Stride;
            lengths[i] = (ushort)lengthOf(i);
            for (int j = 0; j < lengths[i]; j++) buffer[offsets[i] + j] = (byte)(i * 7 + j);
        }
        return (buffer, offsets, lengths);
    }

    private static List<byte[]> Receive(Socket receiver, int count)
    {
        List<byte[]> received = [];
        byte[] datagram = new byte[2048];
        while (received.Count < count && receiver.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead))
        {
            int length = receiver.Receive(datagram);
            received.Add(datagram[..length]);
        }
        return received;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_batch_of_equal_length_packets_arrives_as_the_same_separate_datagrams_and_goes_as_one_segmented_send(bool mixedLengths)
    {
        using Socket receiver = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using UdpBatchSender sender = new((IPEndPoint)receiver.LocalEndPoint!);
        (byte[] buffer, int[] offsets, ushort[] lengths) = Packets(UdpBatchSender.MaxBatch, i => mixedLengths ? 100 + i : 215);

        Assert.Equal(UdpBatchSender.MaxBatch, sender.Send(buffer, offsets, lengths, 0, UdpBatchSender.MaxBatch));

        List<byte[]> received = Receive(receiver, UdpBatchSender.MaxBatch);
        Assert.Equal(UdpBatchSender.MaxBatch, received.Count);
        for (int i = 0; i < received.Count; i++) Assert.Equal(buffer.AsSpan(offsets[i], lengths[i]).ToArray(), received[i]);
        Assert.Equal(mixedLengths ? 0 : 1, sender.SegmentedSends); // Linux segments an equal-length batch; mixed lengths go by sendmmsg
        Assert.False(receiver.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead)); // nothing more: no datagram twice
    }
}
