using Fast.Node.Pipeline;
using Xunit;

namespace Fast.Node.Tests.Pipeline;

/// <summary>The sigverify dedup: an exact copy is a duplicate while its mark is young, and passes again once it aged out (so a retry reaches a leader that lost the first copy).</summary>
public class SignatureDedupTests
{
    private static byte[] Packet(byte seed) => [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 7 + seed))];

    [Fact]
    public void A_remembered_packet_is_a_duplicate_for_two_seconds_and_passes_again_after_three()
    {
        long now = 10_000_500;
        SignatureDedup dedup = new(12, () => now);
        byte[] packet = Packet(1);

        Assert.False(dedup.IsDuplicate(packet, out PacketFingerprint first));
        Assert.False(dedup.IsDuplicate(packet, out _)); // not remembered until its fate is final
        dedup.Remember(first);
        Assert.True(dedup.IsDuplicate(packet, out _));
        Assert.False(dedup.IsDuplicate(Packet(2), out _));

        now += 1_900;
        Assert.True(dedup.IsDuplicate(packet, out _));
        now += 1_200; // 3.1 s after the mark
        Assert.False(dedup.IsDuplicate(packet, out PacketFingerprint retry));
        dedup.Remember(retry);
        Assert.True(dedup.IsDuplicate(packet, out _));
    }

    [Fact]
    public void A_copy_differing_in_one_byte_is_not_a_duplicate()
    {
        SignatureDedup dedup = new(12, () => 5_000);
        byte[] packet = Packet(3);
        Assert.False(dedup.IsDuplicate(packet, out PacketFingerprint fingerprint));
        dedup.Remember(fingerprint);
        byte[] forged = (byte[])packet.Clone();
        forged[^1] ^= 1;
        Assert.False(dedup.IsDuplicate(forged, out _));
        Assert.True(dedup.IsDuplicate(packet, out _));
    }
}
