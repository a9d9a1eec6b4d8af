using System.Net;
using System.Net.Sockets;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Core.Repair;
using Fast.Core.Shreds;
using Fast.Crypto;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// Hostile traffic at a running 3-validator cluster's own ports: forged shreds (signed by a key that
/// does not lead the slot), shreds of another shred version, random bytes at the shred, gossip and
/// repair ports, badly signed gossip values, and a flood of validly signed repair requests. Every kind
/// is dropped and counted in /metrics under its reason, and the cluster keeps producing and agreeing.
/// </summary>
[Collection("cluster")]
public class ClusterFloodTests
{
    [Fact]
    public async Task Forged_shreds_wrong_versions_bad_gossip_and_repair_floods_are_dropped_counted_and_the_cluster_keeps_producing()
    {
        using LocalCluster cluster = new("cluster-flood", validators: 3);
        await cluster.StartAllAsync();
        await cluster.WaitForSlotAsync(8);
        ulong slot = (await cluster.SlotsAsync()).Max()!.Value;
        ushort version = cluster.Bundle.ShredVersion;
        Random random = new(11);
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // Shreds: a forger's signed blocks for the coming slots, the same at another shred version, and random bytes.
        List<byte[]> forged = Shreds(Keypair.Generate(), version, slot + 1, 4);
        List<byte[]> otherVersion = Shreds(Keypair.Generate(), (ushort)(version ^ 0x5A5A), slot + 1, 2);
        // Gossip: contact infos whose signatures are garbage, pushed from an address no node pinged, and random bytes.
        byte[] badGossip = BadlySignedPush(cluster.Bundle.Hash, version);
        // Repair: requests validly signed by validator 2's identity (a known requester), far more than any rate allows.
        Keypair requester = cluster.Bundle.Validators[2].Identity;
        const int RepairBurst = 4_000; // over the 2,000 a second one requester may have served
        byte[][][] repairs = [.. cluster.Nodes.Select(node => Enumerable.Range(0, RepairBurst)
            .Select(i => SignedRepairRequest(requester, new Pubkey(cluster.Bundle.Validators[node.Index].Identity.PublicKey), slot > 2 ? slot - 2 : 1, (uint)(i % 32), (uint)i)).ToArray())];

        for (int round = 0; round < 3; round++)
        {
            foreach (LocalCluster.Node node in cluster.Nodes)
            {
                IPEndPoint tvu = Loopback(node.TvuPort), gossip = Loopback(node.GossipPort), repair = Loopback(node.RepairPort);
                foreach (byte[] shred in forged) socket.SendTo(shred, tvu);
                foreach (byte[] shred in otherVersion) socket.SendTo(shred, tvu);
                for (int i = 0; i < 300; i++) socket.SendTo(RandomBytes(random), tvu);
                for (int i = 0; i < 200; i++) socket.SendTo(badGossip, gossip);
                for (int i = 0; i < 300; i++) socket.SendTo(RandomBytes(random), gossip);
                foreach (byte[] request in repairs[node.Index]) socket.SendTo(request, repair);
                for (int i = 0; i < 300; i++) socket.SendTo(RandomBytes(random), repair);
            }
            await Task.Delay(500);
        }

        // Every kind was dropped and counted, on every node.
        await Task.Delay(1000);
        foreach (LocalCluster.Node node in cluster.Nodes)
        {
            Dictionary<string, double> m = await MetricsScrape.ReadAsync(node.Url);
            double Dropped(string stage, string reason) => m.GetValueOrDefault($"fast_dropped_total{{stage=\"{stage}\",reason=\"{reason}\"}}");
            string where = $"validator {node.Index}";
            Assert.True(Dropped("tvu", "bad_signature") >= forged.Count, $"{where}: forged shreds counted {Dropped("tvu", "bad_signature")} of {forged.Count * 3} sent");
            Assert.True(Dropped("tvu", "wrong_version") >= otherVersion.Count, $"{where}: wrong-version shreds counted {Dropped("tvu", "wrong_version")}");
            Assert.True(Dropped("tvu", "malformed") >= 600, $"{where}: random shred bytes counted {Dropped("tvu", "malformed")}");
            Assert.True(Dropped("gossip", "decode_error") >= 600, $"{where}: random gossip bytes counted {Dropped("gossip", "decode_error")}");
            Assert.True(Dropped("gossip", "bad_signature") + Dropped("gossip", "unpinged_peer") + Dropped("gossip", "rate_limited") >= 300,
                $"{where}: badly signed gossip counted {Dropped("gossip", "bad_signature")} bad signature, {Dropped("gossip", "unpinged_peer")} unpinged, {Dropped("gossip", "rate_limited")} rate limited");
            // The repair port tells a request (256 bytes) from a response (a shred and a nonce) by size: random bytes are mostly unsolicited responses.
            Assert.True(Dropped("repair", "malformed") + Dropped("repair", "unsolicited") >= 600,
                $"{where}: random repair bytes counted {Dropped("repair", "malformed")} malformed, {Dropped("repair", "unsolicited")} unsolicited");
            if (node.Index != 2)
            {
                Assert.True(Dropped("repair", "rate_limited") + Dropped("repair", "unknown_requester") >= 2_000,
                    $"{where}: of {3 * RepairBurst} repair requests {Dropped("repair", "rate_limited")} were rate limited, {Dropped("repair", "unknown_requester")} from an unknown requester");
            }
            Assert.Equal(0, m.GetValueOrDefault("fast_equivocations_total")); // a forger's shreds are not the leader's: no evidence against anyone
        }

        // The cluster keeps producing, and agrees.
        ulong?[] before = await cluster.SlotsAsync();
        await cluster.WaitForSlotAsync(before.Max()!.Value + 10, 60);
        ulong top = (await cluster.SlotsAsync()).Min()!.Value;
        List<string> mismatches = [];
        int agreed = 0;
        for (ulong s = 1; s + 2 <= top; s++)
        {
            var hashes = new (string BankHash, ulong Parent)?[3];
            for (int i = 0; i < 3; i++) hashes[i] = await cluster.BankHashAsync(i, s);
            (string, ulong)[] present = [.. hashes.Where(h => h is not null).Select(h => h!.Value)];
            if (present.Distinct().Count() > 1) mismatches.Add($"slot {s}: {string.Join(" | ", present)}");
            if (present.Length == 3) agreed++;
        }
        Assert.True(mismatches.Count == 0, "bank hash mismatches:\n" + string.Join('\n', mismatches));
        Assert.True(agreed >= 10, $"only {agreed} slots frozen by all three\n{cluster.Logs()}");
    }

    private static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(1, 1233)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Whole signed blocks (one FEC set each, data and coding shreds) for <paramref name="count"/> slots from <paramref name="first"/>.</summary>
    private static List<byte[]> Shreds(Keypair signer, ushort version, ulong first, int count)
    {
        Shredder shredder = new(signer, version);
        byte[] buffer = new byte[Shredder.SetBufferSize];
        List<byte[]> shreds = [];
        for (ulong slot = first; slot < first + (ulong)count; slot++)
        {
            shredder.BeginSlot(slot, slot - 1, Hash.Compute(BitConverter.GetBytes(slot)));
            shredder.TryAppend(new byte[500]);
            ShreddedFecSet set = shredder.FinishSlot(buffer);
            for (int leaf = 0; leaf < set.ShredCount; leaf++) shreds.Add(set.Shred(buffer, leaf).ToArray());
        }
        return shreds;
    }

    private static byte[] BadlySignedPush(Hash genesis, ushort version)
    {
        var stranger = Keypair.Generate();
        Pubkey identity = new(stranger.PublicKey);
        ContactInfo info = new()
        {
            Identity = identity,
            WallclockMs = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ShredVersion = version,
            GenesisHash = genesis,
            Gossip = new Ipv4Endpoint(0x7F000001, 40_000), // 127.0.0.1: a made-up address
        };
        byte[] value = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteSigned(value, stranger, info);
        value[3] ^= 0xFF; // the signature no longer matches
        byte[] packet = new byte[GossipMessageWriter.ValuesMessageLength(1)];
        var writer = new SpanWriter(packet);
        GossipMessageWriter.WriteValuesHeader(ref writer, GossipMessageKind.Push, identity, 1);
        GossipMessageWriter.WriteValue(ref writer, value);
        return packet;
    }

    private static byte[] SignedRepairRequest(Keypair requester, in Pubkey recipient, ulong slot, uint index, uint nonce)
    {
        byte[] request = new byte[RepairRequestView.Size];
        RepairWire.WriteUnsigned(request, RepairKind.Shred, new Pubkey(requester.PublicKey), recipient, slot, index, nonce);
        byte[] signed = new byte[RepairRequestView.Size + 64];
        int n = SigningDomains.Write(SigningDomain.RepairRequest, request.AsSpan(RepairRequestView.SignedOffset), signed);
        requester.Sign(signed.AsSpan(0, n), request.AsSpan(0, Signature.Size));
        return request;
    }
}
