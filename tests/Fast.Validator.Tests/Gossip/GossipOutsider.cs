using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Validator.Net;
using Xunit;

namespace Fast.Validator.Tests.Gossip;

/// <summary>
/// A hand-driven gossip participant outside the machines under test (an attacker, or a peer whose every
/// packet the test writes): its own key and address, packet builders, and, when asked, pongs to the pings
/// the network delivered to it.
/// </summary>
internal sealed class GossipOutsider(GossipTestNetwork network, int index, PeerAddress address)
{
    private static readonly byte[] ZeroAux = new byte[32];
    private int _pingsAnswered;

    public Keypair Key { get; } = GossipTestNetwork.KeyFor(index, "outsider");

    public Pubkey Identity => new(Key.PublicKey);

    public PeerAddress Address => address;

    public ContactInfo Info(ulong wallclockMs, Hash? genesis = null, ushort? shredVersion = null) =>
        GossipTestNetwork.ContactFor(address) with
        {
            Identity = Identity,
            WallclockMs = wallclockMs,
            GenesisHash = genesis ?? GossipTestNetwork.Genesis,
            ShredVersion = shredVersion ?? GossipTestNetwork.ShredVersion,
        };

    public byte[] SignedValue(in ContactInfo info)
    {
        byte[] value = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteUnsigned(value, info);
        byte[] message = new byte[GossipValueView.SigningMessageLength];
        GossipValueWriter.WriteSigningMessage(value, message);
        Key.Sign(message, value.AsSpan(0, 64), ZeroAux);
        return value;
    }

    public byte[] Values(GossipMessageKind kind, params byte[][] values)
    {
        byte[] packet = new byte[GossipMessageWriter.ValuesMessageLength(values.Length)];
        var writer = new SpanWriter(packet);
        GossipMessageWriter.WriteValuesHeader(ref writer, kind, Identity, values.Length);
        foreach (byte[] value in values) GossipMessageWriter.WriteValue(ref writer, value);
        return packet;
    }

    /// <summary>A pull request with our own value and a filter of <paramref name="words"/> words holding <paramref name="held"/>.</summary>
    public byte[] PullRequest(ulong wallclockMs, int words, params Hash[] held)
    {
        var filter = new BloomFilter();
        filter.Reset(words, 3, 777);
        foreach (Hash hash in held) filter.Add(hash);
        byte[] packet = new byte[GossipMessageView.FilterOffset + filter.EncodedLength];
        var writer = new SpanWriter(packet);
        GossipMessageWriter.WritePullRequest(ref writer, SignedValue(Info(wallclockMs)), filter);
        return packet;
    }

    public byte[] SignedPing(GossipMessageKind kind, ReadOnlySpan<byte> token)
    {
        byte[] packet = new byte[GossipMessageView.PingLength];
        GossipMessageWriter.WritePingUnsigned(packet, kind, Identity, token);
        byte[] message = new byte[GossipMessageView.PingSigningMessageLength];
        GossipMessageWriter.WritePingSigningMessage(packet, message);
        Key.Sign(message, GossipMessageWriter.PingSignature(packet), ZeroAux);
        return packet;
    }

    /// <summary>Answers, with a correct pong, every ping the network has delivered to this outsider since the last call.</summary>
    public int AnswerPings()
    {
        int answered = 0;
        List<SentPacket> delivered = network.ToOutsiders;
        for (; _pingsAnswered < delivered.Count; _pingsAnswered++)
        {
            SentPacket packet = delivered[_pingsAnswered];
            if (packet.To != address || packet.Bytes[0] != (byte)GossipMessageKind.Ping) continue;
            Assert.True(GossipMessageView.TryParse(packet.Bytes, out GossipMessageView ping).IsOk);
            network.Inject(address, packet.From, SignedPing(GossipMessageKind.Pong, Hash.Compute(ping.Token).Span));
            answered++;
        }
        return answered;
    }

    /// <summary>Packets of <paramref name="kind"/> the network delivered to this outsider.</summary>
    public IEnumerable<SentPacket> Received(GossipMessageKind kind) =>
        network.ToOutsiders.Where(p => p.To == address && p.Bytes[0] == (byte)kind);
}
