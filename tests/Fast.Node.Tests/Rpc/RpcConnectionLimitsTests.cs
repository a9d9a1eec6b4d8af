using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>Kestrel's connection limits on the RPC port: per-address cap, slow and idle clients.</summary>
public class RpcConnectionLimitsTests
{
    private static async Task<RpcServer> StartAsync(RpcServerLimits limits)
    {
        FakeRpcBackend backend = new();
        RpcServer server = new(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(backend), _ => { }, () => null, limits);
        await server.StartAsync();
        return server;
    }

    /// <summary>Reads until the server closes the connection (0 bytes or a reset); the seconds it took, or null if it stayed open.</summary>
    private static async Task<double?> SecondsUntilClosedAsync(Socket socket, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        byte[] buffer = new byte[4096];
        using CancellationTokenSource timeout = new(wait);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static byte[] HealthRequest()
    {
        const string Body = """{"jsonrpc":"2.0","id":1,"method":"getHealth"}""";
        return Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Body.Length}\r\n\r\n{Body}");
    }

    /// <summary>Connects and waits for the server to close the connection (a reset during the connect counts).</summary>
    private static async Task<bool> IsClosedByServerAsync(RpcServer server)
    {
        try
        {
            using Socket socket = await ConnectAsync(server);
            return await SecondsUntilClosedAsync(socket, TimeSpan.FromSeconds(20)) is not null;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<Socket> ConnectAsync(RpcServer server)
    {
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint!);
        return socket;
    }

    [Fact]
    public async Task A_connection_past_the_per_address_cap_is_closed_at_once_and_counted()
    {
        await using RpcServer server = await StartAsync(new RpcServerLimits { MaxConnectionsPerAddress = 4, KeepAliveTimeout = TimeSpan.FromSeconds(60), RequestTimeout = TimeSpan.FromSeconds(60) });
        List<Socket> open = [];
        try
        {
            for (int i = 0; i < 4; i++) open.Add(await ConnectAsync(server));
            // Kestrel admits accepted connections asynchronously: let the four take their slots first.
            Assert.True(Wait.Until(() => server.OpenConnectionsFrom(IPAddress.Loopback) == 4, 20_000));
            Assert.Equal(0, server.ConnectionsRejectedPerAddress);
            Assert.True(await IsClosedByServerAsync(server));
            Assert.Equal(1, server.ConnectionsRejectedPerAddress);

            // The four within the cap still serve requests.
            byte[] request = HealthRequest();
            await open[3].SendAsync(request);
            byte[] buffer = new byte[1024];
            int read = await open[3].ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read));

            // A slot freed is a slot available again.
            open[0].Dispose();
            open.RemoveAt(0);
            Assert.True(Wait.Until(() =>
            {
                try
                {
                    using Socket again = ConnectAsync(server).GetAwaiter().GetResult();
                    again.Send(request);
                    byte[] answer = new byte[1024];
                    again.ReceiveTimeout = 10_000;
                    return again.Receive(answer) > 0;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, 20_000));
        }
        finally
        {
            foreach (Socket s in open) s.Dispose();
        }
    }

    [Fact]
    public async Task A_slowloris_client_trickling_a_byte_a_second_is_closed_within_the_request_timeout()
    {
        await using RpcServer server = await StartAsync(new RpcServerLimits { RequestTimeout = TimeSpan.FromSeconds(2), KeepAliveTimeout = TimeSpan.FromSeconds(60) });
        using Socket slow = await ConnectAsync(server);
        byte[] headers = Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        Task<double?> closed = SecondsUntilClosedAsync(slow, TimeSpan.FromSeconds(40));
        var clock = Stopwatch.StartNew();
        foreach (byte b in headers)
        {
            if (closed.IsCompleted) break;
            try
            {
                await slow.SendAsync(new[] { b });
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(1000));
        }
        double? seconds = await closed;
        Assert.NotNull(seconds);
        // Kestrel checks its timeouts once a second; the shared CPU adds more. Far less than the 60 s the trickle would take.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"closed after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        await using RpcServer server = await StartAsync(new RpcServerLimits { KeepAliveTimeout = TimeSpan.FromSeconds(2) });
        using Socket idle = await ConnectAsync(server);
        byte[] request = HealthRequest();
        await idle.SendAsync(request);
        byte[] buffer = new byte[1024];
        int read = await idle.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read));
        double? seconds = await SecondsUntilClosedAsync(idle, TimeSpan.FromSeconds(30));
        Assert.NotNull(seconds);
        Assert.True(seconds < 20, $"closed after {seconds:0.0} s");
    }
}
