using System.Net;
using System.Net.Sockets;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>
/// Ports for the validators the tests start: drawn at random below the kernel's ephemeral range
/// (/proc/sys/net/ipv4/ip_local_port_range), never handed out twice by this process, and checked free
/// for both TCP and UDP on loopback. A port from bind(0) lies inside the ephemeral range, so between the
/// check and the validator's own bind the kernel could give it to any other socket on the machine (an
/// HTTP client's connection, another validator's sender) — seen in a full run as "cannot bind the repair
/// port 127.0.0.1:56654: Address already in use". The kernel never hands out a port below the range on
/// its own.
/// </summary>
internal static class TestPorts
{
    private const int Lowest = 20_000;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];
    private static readonly int EphemeralLow = ReadEphemeralLow();

    /// <summary>One port free for TCP and UDP.</summary>
    public static int Free() => FreeRun(1);

    /// <summary>The first of <paramref name="count"/> consecutive ports, each free for TCP and UDP.</summary>
    public static int FreeRun(int count)
    {
        lock (Gate)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int start = Random.Shared.Next(Lowest, EphemeralLow - count);
                bool free = true;
                for (int p = start; p < start + count && free; p++) free = !Given.Contains(p) && CanBind(p, SocketType.Stream, ProtocolType.Tcp) && CanBind(p, SocketType.Dgram, ProtocolType.Udp);
                if (!free) continue;
                for (int p = start; p < start + count; p++) Given.Add(p);
                return start;
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free ports between {Lowest} and {EphemeralLow}");
    }

    private static bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using Socket socket = new(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ReadEphemeralLow()
    {
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out int low) && low > Lowest + 1000 ? low : 32_768;
        }
        catch (IOException)
        {
            return 32_768;
        }
    }
}
