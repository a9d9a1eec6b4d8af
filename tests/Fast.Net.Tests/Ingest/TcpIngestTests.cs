using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fast.Core.Collections;
using Fast.Net.Ingest;
using Fast.Net.Packets;
using Fast.Testing;
using Xunit;

namespace Fast.Net.Tests.Ingest;

public class TcpIngestTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Length_prefixed_frames_arrive_whole_even_when_split_across_writes()
    {
        using PacketPool pool = new(64);
        BoundedQueue<Packet> queue = new(64);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(ingest.LocalEndPoint);
        byte[] stream = new byte[3 * (2 + 1232)];
        int length = 0;
        for (int i = 1; i <= 3; i++) length += TcpIngest.WriteFrame([.. Enumerable.Repeat((byte)i, i * 400)], stream.AsSpan(length));
        // Dribble the bytes in odd-sized pieces.
        for (int offset = 0; offset < length; offset += 333)
        {
            await client.SendAsync(stream.AsMemory(offset, Math.Min(333, length - offset)));
            await Task.Delay(2);
        }
        Assert.True(Wait.Until(() => queue.Count == 3));
        for (int i = 1; i <= 3; i++)
        {
            queue.TryDequeue(out Packet packet);
            Assert.Equal(PacketSource.Tcp, packet.Source);
            Assert.Equal(i * 400, packet.Length);
            Assert.True(pool.Data(packet).ToArray().All(b => b == i));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1233)]
    [InlineData(65535)]
    public async Task An_illegal_frame_length_closes_the_connection_and_is_counted(int declared)
    {
        using PacketPool pool = new(8);
        BoundedQueue<Packet> queue = new(8);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters);
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(ingest.LocalEndPoint);
        await client.SendAsync(new byte[] { (byte)declared, (byte)(declared >> 8), 1, 2, 3 });
        Assert.True(Wait.Until(() => counters.TcpConnectionsClosedForError == 1));
        // The server closed its end: a read sees end-of-stream.
        byte[] buffer = new byte[16];
        int read = await client.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, read);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Connections_beyond_the_cap_are_refused_and_counted()
    {
        using PacketPool pool = new(8);
        BoundedQueue<Packet> queue = new(8);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters, maxConnections: 2);
        ingest.Start();

        List<Socket> clients = [];
        for (int i = 0; i < 4; i++)
        {
            Socket c = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await c.ConnectAsync(ingest.LocalEndPoint);
            clients.Add(c);
        }
        Assert.True(Wait.Until(() => counters.TcpConnectionsAccepted == 2 && counters.TcpConnectionsRejected == 2));
        foreach (Socket c in clients) c.Dispose();
    }

    [Fact]
    public void Frame_parsing_waits_for_the_whole_frame()
    {
        byte[] bytes = new byte[2 + 100];
        TcpIngest.WriteFrame(new byte[100], bytes);
        ReadOnlySequence<byte> partial = new(bytes.AsMemory(0, 50));
        Assert.False(TcpIngest.TryReadFrame(ref partial, out _, out bool violation));
        Assert.False(violation);
        ReadOnlySequence<byte> whole = new(bytes);
        Assert.True(TcpIngest.TryReadFrame(ref whole, out ReadOnlySequence<byte> frame, out _));
        Assert.Equal(100, frame.Length);
        Assert.Equal(0, whole.Length);
    }

    [Fact]
    public async Task Connections_past_the_per_address_cap_are_refused_and_counted()
    {
        using PacketPool pool = new(8);
        BoundedQueue<Packet> queue = new(8);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters, maxConnections: 100, maxConnectionsPerAddress: 3);
        ingest.Start();

        List<Socket> clients = [];
        for (int i = 0; i < 4; i++)
        {
            Socket c = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await c.ConnectAsync(ingest.LocalEndPoint);
            clients.Add(c);
        }
        Assert.True(Wait.Until(() => counters.TcpConnectionsAccepted == 3 && counters.TcpConnectionsRejectedPerAddress == 1));
        Assert.Equal(0, counters.TcpConnectionsRejected);
        // The refused one was closed by the server: its read sees end-of-stream (or a reset).
        Assert.Equal(0, await ReadUntilClosedAsync(clients[3]));
        Assert.Equal(3, ingest.OpenConnections);

        // Closing one gives its address the slot back.
        clients[0].Dispose();
        Assert.True(Wait.Until(() => ingest.OpenConnections == 2));
        using Socket again = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await again.ConnectAsync(ingest.LocalEndPoint);
        Assert.True(Wait.Until(() => counters.TcpConnectionsAccepted == 4));
        foreach (Socket c in clients) c.Dispose();
    }

    [Fact]
    public async Task A_connection_trickling_a_byte_a_second_is_closed_at_the_frame_timeout_and_counted()
    {
        using PacketPool pool = new(8);
        BoundedQueue<Packet> queue = new(8);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters, frameTimeout: TimeSpan.FromSeconds(2));
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(ingest.LocalEndPoint);
        byte[] frame = new byte[2 + 1000];
        TcpIngest.WriteFrame(new byte[1000], frame);
        Task<int> closed = ReadUntilClosedAsync(client);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // One byte a second: every read makes progress, but no frame completes (it would take 17 minutes).
        for (int i = 0; i < 60 && !closed.IsCompleted; i++)
        {
            try
            {
                await client.SendAsync(frame.AsMemory(i, 1));
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(1000));
        }
        Assert.True(closed.IsCompleted, "the trickling connection was still open after 60 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"closed after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(Wait.Until(() => counters.TcpConnectionsTimedOut == 1));
        Assert.Equal(0, queue.Count);
        // The client sees the close before the server's connection task has finished its bookkeeping.
        Assert.True(Wait.Until(() => ingest.OpenConnections == 0), $"{ingest.OpenConnections} connection(s) still counted open");
    }

    [Fact]
    public async Task A_connection_sending_whole_frames_stays_open_past_the_frame_timeout()
    {
        using PacketPool pool = new(64);
        BoundedQueue<Packet> queue = new(64);
        IngestCounters counters = new();
        await using TcpIngest ingest = new(AnyLoopback, pool, queue, counters, frameTimeout: TimeSpan.FromSeconds(2));
        ingest.Start();

        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(ingest.LocalEndPoint);
        byte[] frame = new byte[2 + 100];
        TcpIngest.WriteFrame(new byte[100], frame);
        for (int i = 0; i < 8; i++)
        {
            await client.SendAsync(frame);
            await Task.Delay(500);
        }
        Assert.True(Wait.Until(() => queue.Count == 8));
        Assert.Equal(0, counters.TcpConnectionsTimedOut);
        Assert.Equal(1, ingest.OpenConnections);
    }

    /// <summary>Reads until the peer closes: 0 on end-of-stream or reset.</summary>
    private static async Task<int> ReadUntilClosedAsync(Socket socket)
    {
        byte[] buffer = new byte[64];
        try
        {
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
        return 0;
    }
}
