using System.Net.Sockets;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Xunit;

namespace Fast.Cluster.Tests;

[Collection("cluster")]
public class FloodTests
{
    [Fact]
    public async Task A_flood_of_random_bytes_and_invalid_signatures_leaves_the_node_producing_slots_and_counts_the_drops()
    {
        using SingleValidator node = new("flood-test");
        await node.StartAsync();
        Load load = new(node, 8);
        await load.FundAsync(10_000_000);
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> valid = load.Transfers(2_000, blockhash);
        ulong slotBefore = await node.Rpc.GetSlotAsync("confirmed");

        // Bounded flood over loopback: 60,000 random datagrams and 20,000 transfers with a corrupted signature.
        Random random = new(5);
        using (Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            byte[] garbage = new byte[1232];
            for (int i = 0; i < 60_000; i++)
            {
                random.NextBytes(garbage);
                socket.SendTo(garbage.AsSpan(0, random.Next(1, 1233)), node.Tpu);
                if (i % 2000 == 0) await Task.Delay(10);
            }
            for (int i = 0; i < 20_000; i++)
            {
                byte[] tx = (byte[])valid[i % valid.Count].Bytes.Clone();
                tx[1 + random.Next(64)] ^= (byte)(1 << random.Next(8));
                socket.SendTo(tx, node.Tpu);
                if (i % 2000 == 0) await Task.Delay(10);
            }
        }

        // Valid transfers still land, and slots keep coming.
        using CancellationTokenSource none = new();
        await Load.SendAsync(node, valid.Take(200).ToList(), 2000, none.Token);
        await load.WaitConfirmedAsync([.. valid.Take(200).Select(v => v.Signature)], 60);
        await node.WaitForSlotAsync(slotBefore + 5);

        using HttpClient http = new();
        string metrics = await http.GetStringAsync($"{node.Url}/metrics");
        Assert.True(Counter(metrics, "fast_dropped_total{stage=\"sigverify\",reason=\"invalid_signature\"}") > 1000, metrics);
        double malformed = metrics.Split('\n').Where(l => l.StartsWith("fast_dropped_total{stage=\"sigverify\",reason=\"malformed_", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(malformed > 10_000, metrics);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static double Counter(string metrics, string name)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
