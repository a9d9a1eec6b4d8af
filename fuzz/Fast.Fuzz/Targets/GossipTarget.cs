using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>
/// GossipMessageView.TryParse (every gossip packet kind, with the contact-info values and Bloom filter
/// inside), re-encoded field by field with <see cref="GossipMessageWriter"/> and <see cref="GossipValueWriter"/>.
/// </summary>
public readonly struct GossipTarget : IFuzzTarget
{
    public string Name => "gossip";

    public int MaxInputLength => GossipMessageView.MaxPacketLength + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = GossipMessageView.TryParse(input, out GossipMessageView message);
        if (!result.IsOk) return result.Status;
        var writer = new SpanWriter(scratch);
        switch (message.Kind)
        {
            case GossipMessageKind.Push:
            case GossipMessageKind.PullResponse:
                GossipMessageWriter.WriteValuesHeader(ref writer, message.Kind, message.From, message.ValueCount);
                for (int i = 0; i < message.ValueCount; i++) WriteValue(ref writer, message.GetValue(i));
                break;
            case GossipMessageKind.PullRequest:
                writer.WriteU8((byte)GossipMessageKind.PullRequest);
                WriteValue(ref writer, message.RequesterValue);
                BloomFilterView filter = message.Filter;
                GossipMessageWriter.WriteFilterHeader(ref writer, filter.HashCount, filter.Salt, filter.WordCount);
                for (int i = 0; i < filter.WordCount; i++) writer.WriteU64(filter.GetWord(i));
                break;
            default:
                GossipMessageWriter.WritePing(ref writer, message.Kind, message.From, message.Token, message.PingSignatureBytes);
                break;
        }
        canonical = !writer.Overflowed && writer.Written.SequenceEqual(input);
        return DecodeStatus.Ok;
    }

    private static void WriteValue(ref SpanWriter writer, GossipValueView value) =>
        GossipValueWriter.Write(ref writer, value.ToContactInfo(), value.Signature);

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        Keypair[] keys = [.. Enumerable.Range(0, GossipMessageView.MaxValuesPerMessage).Select(_ => Keypair.Generate())];
        byte[][] values = [.. keys.Select((key, i) => SignedValue(key, i))];
        List<FuzzSeed> seeds = [];
        foreach (GossipMessageKind kind in new[] { GossipMessageKind.Push, GossipMessageKind.PullResponse })
        {
            foreach (int n in new[] { 1, 2, GossipMessageView.MaxValuesPerMessage })
            {
                byte[] packet = new byte[GossipMessageWriter.ValuesMessageLength(n)];
                var writer = new SpanWriter(packet);
                GossipMessageWriter.WriteValuesHeader(ref writer, kind, new Pubkey(keys[0].PublicKey), n);
                for (int i = 0; i < n; i++) GossipMessageWriter.WriteValue(ref writer, values[i]);
                List<int> fields = [GossipMessageView.ValueCountOffset];
                for (int i = 0; i < n; i++) fields.Add(GossipMessageView.ValuesOffset + i * GossipValueView.EncodedLength + GossipValueView.KindOffset);
                seeds.Add(new FuzzSeed(packet, [.. fields]));
            }
        }
        foreach (int words in new[] { 1, 4, BloomFilter.MaxWords })
        {
            var filter = new BloomFilter();
            filter.Reset(words, 3, 0x1234_5678_9ABC_DEF0UL + (ulong)words);
            foreach (byte[] value in values) filter.Add(Hash.Compute(value));
            byte[] packet = new byte[GossipMessageView.FilterOffset + filter.EncodedLength];
            var writer = new SpanWriter(packet);
            GossipMessageWriter.WritePullRequest(ref writer, values[0], filter);
            int at = GossipMessageView.FilterOffset;
            seeds.Add(new FuzzSeed(packet, [at + BloomFilterView.HashCountOffset, at + BloomFilterView.WordCountOffset, 1 + GossipValueView.KindOffset]));
        }
        foreach (GossipMessageKind kind in new[] { GossipMessageKind.Ping, GossipMessageKind.Pong })
        {
            byte[] packet = new byte[GossipMessageView.PingLength];
            GossipMessageWriter.WritePingUnsigned(packet, kind, new Pubkey(keys[1].PublicKey), Hash.Compute([(byte)kind]).Span);
            byte[] message = new byte[GossipMessageView.PingSigningMessageLength];
            GossipMessageWriter.WritePingSigningMessage(packet, message);
            keys[1].Sign(message, GossipMessageWriter.PingSignature(packet));
            seeds.Add(new FuzzSeed(packet, [GossipMessageView.KindOffset]));
        }
        return seeds;
    }

    private static byte[] SignedValue(Keypair key, int i)
    {
        var info = new ContactInfo
        {
            Identity = new Pubkey(key.PublicKey),
            WallclockMs = 1_700_000_000_000UL + (ulong)i,
            ShredVersion = 4242,
            GenesisHash = Hash.Compute([7]),
            Version = new SoftwareVersion(0, 1, (ushort)i),
            Gossip = Ipv4Endpoint.FromOctets(10, 0, 0, (byte)(i + 1), 8001),
            Tpu = Ipv4Endpoint.FromOctets(10, 0, 0, (byte)(i + 1), 8003),
            Tvu = Ipv4Endpoint.FromOctets(10, 0, 0, (byte)(i + 1), 8004),
            Rpc = i % 2 == 0 ? Ipv4Endpoint.FromOctets(10, 0, 0, (byte)(i + 1), 8899) : Ipv4Endpoint.Unspecified,
        };
        byte[] value = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteSigned(value, key, info);
        return value;
    }
}
