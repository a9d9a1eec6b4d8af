using System.Net;
using System.Net.Sockets;
using Fast.Core.Collections;
using Fast.Net.Ingest;
using Fast.Net.Packets;
using Fast.Testing;
using Xunit;

namespace Fast.Net.Tests.Ingest;

public class UdpIngestTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact]
    public void Datagrams_arrive_in_pool_slots_with_their_exact_bytes()
    {
        using PacketPool pool = new(64);
        BoundedQueue<Packet> queue = new(64);
        IngestCounters counters = new();
        using UdpIngest ingest = new(AnyLoopback, pool, queue, counters, batch: 8);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (int i = 1; i <= 20; i++)
        {
            byte[] payload = [.. Enumerable.Repeat((byte)i, i * 10)];
            client.SendTo(payload, ingest.LocalEndPoint);
        }
        Assert.True(Wait.Until(() => queue.Count == 20));
        for (int i = 1; i <= 20; i++)
        {
            Assert.True(queue.TryDequeue(out Packet packet));
            Assert.Equal(PacketSource.Udp, packet.Source);
            Assert.Equal(i * 10, packet.Length);
            Assert.True(pool.Data(packet).ToArray().All(b => b == i));
            pool.Return(packet.Slot);
        }
        Assert.Equal(20, counters.Accepted);
    }

    [Fact]
    public void Oversized_and_empty_datagrams_are_dropped_and_counted_and_do_not_leak_slots()
    {
        using PacketPool pool = new(16);
        BoundedQueue<Packet> queue = new(16);
        IngestCounters counters = new();
        using UdpIngest ingest = new(AnyLoopback, pool, queue, counters, batch: 4);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo(new byte[1233], ingest.LocalEndPoint);
        client.SendTo(new byte[4000], ingest.LocalEndPoint);
        client.SendTo([], ingest.LocalEndPoint);
        client.SendTo(new byte[1232], ingest.LocalEndPoint);
        Assert.True(Wait.Until(() => counters.DroppedMalformedSize == 3 && queue.Count == 1));
        Assert.Equal(1, counters.Accepted);

        queue.TryDequeue(out Packet packet);
        Assert.Equal(1232, packet.Length);
        pool.Return(packet.Slot);
        ingest.Stop();
        Assert.Equal(16, pool.Available);
    }

    [Fact]
    public void A_full_queue_drops_the_newest_packets_and_counts_them()
    {
        using PacketPool pool = new(64);
        BoundedQueue<Packet> queue = new(4);
        IngestCounters counters = new();
        using UdpIngest ingest = new(AnyLoopback, pool, queue, counters, batch: 8);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (int i = 0; i < 10; i++) client.SendTo(new byte[] { (byte)i }, ingest.LocalEndPoint);
        Assert.True(Wait.Until(() => counters.UdpPackets == 10));
        Assert.Equal(4, counters.Accepted);
        Assert.Equal(6, counters.DroppedQueueFull);
        queue.TryDequeue(out Packet first);
        Assert.Equal(0, pool.Data(first)[0]); // the oldest were kept
    }

    [Fact]
    public void An_exhausted_pool_drops_and_counts_instead_of_blocking()
    {
        using PacketPool pool = new(2);
        BoundedQueue<Packet> queue = new(64);
        IngestCounters counters = new();
        using UdpIngest ingest = new(AnyLoopback, pool, queue, counters, batch: 2);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (int i = 0; i < 6; i++) client.SendTo(new byte[] { 1, 2, 3 }, ingest.LocalEndPoint);
        Assert.True(Wait.Until(() => counters.UdpPackets == 6));
        Assert.Equal(2, counters.Accepted);
        Assert.Equal(4, counters.DroppedNoBuffer);
    }
}
