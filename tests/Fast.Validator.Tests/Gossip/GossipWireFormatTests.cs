using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Core.Rng;
using Fast.Crypto;
using Xunit;

namespace Fast.Validator.Tests.Gossip;

/// <summary>Round trips and hostile input for every gossip wire format (core/Fast.Core/Gossip).</summary>
public sealed class GossipWireFormatTests
{
    private static readonly Keypair[] Keys = [.. Enumerable.Range(0, 7).Select(i => GossipTestNetwork.KeyFor(i, "wire"))];

    private static ContactInfo Info(int i) => GossipTestNetwork.ContactFor(GossipTestNetwork.AddressFor(i)) with
    {
        Identity = new Pubkey(Keys[i].PublicKey),
        WallclockMs = 1_800_000_000_000UL + (ulong)i,
        ShredVersion = 4242,
        GenesisHash = GossipTestNetwork.Genesis,
        Version = new SoftwareVersion(1, 2, (ushort)(3 + i)),
        Rpc = i == 1 ? Ipv4Endpoint.Unspecified : Ipv4Endpoint.FromOctets(10, 0, 0, (byte)(i + 1), 8899),
    };

    private static byte[] Value(int i)
    {
        // Signed with fixed auxiliary randomness, so the same value gives the same bytes every time.
        byte[] value = new byte[GossipValueView.EncodedLength];
        GossipValueWriter.WriteUnsigned(value, Info(i));
        byte[] message = new byte[GossipValueView.SigningMessageLength];
        GossipValueWriter.WriteSigningMessage(value, message);
        Keys[i].Sign(message, value.AsSpan(0, 64), new byte[32]);
        return value;
    }

    private static byte[] Values(GossipMessageKind kind, int n, int fromKey = 0)
    {
        byte[] packet = new byte[GossipMessageWriter.ValuesMessageLength(n)];
        var writer = new SpanWriter(packet);
        GossipMessageWriter.WriteValuesHeader(ref writer, kind, new Pubkey(Keys[fromKey].PublicKey), n);
        for (int i = 0; i < n; i++) GossipMessageWriter.WriteValue(ref writer, Value(i));
        Assert.False(writer.Overflowed);
        return packet;
    }

    private static byte[] PullRequest(int words, params int[] held)
    {
        var filter = new BloomFilter();
        filter.Reset(words, 4, 99);
        foreach (int i in held) filter.Add(Hash.Compute(Value(i)));
        byte[] packet = new byte[GossipMessageView.FilterOffset + filter.EncodedLength];
        var writer = new SpanWriter(packet);
        GossipMessageWriter.WritePullRequest(ref writer, Value(0), filter);
        Assert.False(writer.Overflowed);
        return packet;
    }

    private static byte[] Ping(GossipMessageKind kind, int key, ReadOnlySpan<byte> token)
    {
        byte[] packet = new byte[GossipMessageView.PingLength];
        GossipMessageWriter.WritePingUnsigned(packet, kind, new Pubkey(Keys[key].PublicKey), token);
        byte[] message = new byte[GossipMessageView.PingSigningMessageLength];
        GossipMessageWriter.WritePingSigningMessage(packet, message);
        Keys[key].Sign(message, GossipMessageWriter.PingSignature(packet));
        return packet;
    }

    [Fact]
    public void A_signed_contact_info_value_round_trips_and_its_signature_verifies_under_the_gossip_value_tag()
    {
        byte[] value = Value(1);
        Assert.Equal(181, value.Length);
        Assert.True(GossipValueView.TryParse(value, out GossipValueView view).IsOk);
        Assert.Equal(Info(1), view.ToContactInfo());
        Assert.True(view.Rpc.IsUnspecified);
        byte[] message = new byte[GossipValueView.SigningMessageLength];
        view.WriteSigningMessage(message);
        Assert.True(message.AsSpan().StartsWith(SigningDomains.Tag(SigningDomain.GossipValue)));
        Assert.True(Schnorr.Verify(Keys[1].PublicKey, message, view.SignatureBytes));
        // The signature does not verify over the bare payload: the tag is part of what is signed.
        Assert.False(Schnorr.Verify(Keys[1].PublicKey, view.Payload, view.SignatureBytes));
    }

    [Fact]
    public void A_contact_info_endpoint_uses_the_peer_address_byte_layout()
    {
        var endpoint = Ipv4Endpoint.FromOctets(192, 168, 1, 20, 8001);
        var address = Fast.Validator.Net.PeerAddress.FromOctets(192, 168, 1, 20, 8001);
        byte[] a = new byte[6], b = new byte[6];
        endpoint.Write(a);
        address.Write(b);
        Assert.Equal(b, a);
        Assert.Equal(endpoint, Ipv4Endpoint.Read(b));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(63, 0)]
    [InlineData(64, 64)]
    [InlineData(80, 65)]
    [InlineData(100, 97)]
    [InlineData(106, 105)]
    [InlineData(120, 107)]
    [InlineData(142, 141)]
    [InlineData(150, 145)]
    [InlineData(180, 175)]
    public void A_truncated_value_reports_the_field_that_did_not_fit(int length, int offset)
    {
        byte[] value = Value(2);
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, offset), GossipValueView.TryParse(value.AsSpan(0, length), out _));
    }

    [Fact]
    public void A_value_with_an_unknown_kind_a_half_zero_endpoint_no_gossip_endpoint_or_trailing_bytes_is_rejected_with_its_offset()
    {
        byte[] value = Value(2);
        byte[] badKind = (byte[])value.Clone();
        badKind[GossipValueView.KindOffset] = 2;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 64), GossipValueView.TryParse(badKind, out _));

        byte[] halfZero = (byte[])value.Clone();
        halfZero.AsSpan(GossipValueView.TvuOffset + 4, 2).Clear(); // address kept, port zero
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, GossipValueView.TvuOffset), GossipValueView.TryParse(halfZero, out _));

        byte[] noGossip = (byte[])value.Clone();
        noGossip.AsSpan(GossipValueView.GossipOffset, 6).Clear();
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 145), GossipValueView.TryParse(noGossip, out _));

        byte[] longer = [.. value, 0];
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 181), GossipValueView.TryParse(longer, out _));
    }

    [Theory]
    [InlineData(GossipMessageKind.Push, 1)]
    [InlineData(GossipMessageKind.Push, 6)]
    [InlineData(GossipMessageKind.PullResponse, 3)]
    public void Push_and_pull_response_round_trip_with_their_values_in_order(GossipMessageKind kind, int n)
    {
        byte[] packet = Values(kind, n, fromKey: 6);
        Assert.True(GossipMessageView.TryParse(packet, out GossipMessageView message).IsOk);
        Assert.Equal(kind, message.Kind);
        Assert.Equal(new Pubkey(Keys[6].PublicKey), message.From);
        Assert.Equal(n, message.ValueCount);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Info(i), message.GetValue(i).ToContactInfo());
            Assert.Equal(Value(i), message.GetValue(i).Bytes.ToArray());
        }
    }

    [Fact]
    public void Every_message_at_its_largest_fits_one_1232_byte_packet()
    {
        Assert.Equal(6, GossipMessageView.MaxValuesPerMessage);
        Assert.True(Values(GossipMessageKind.Push, 6).Length <= 1232);
        Assert.Equal(1216, PullRequest(BloomFilter.MaxWords).Length);
        Assert.Equal(GossipMessageView.MaxPullRequestLength, PullRequest(BloomFilter.MaxWords).Length);
        Assert.Equal(129, GossipMessageView.PingLength);
    }

    [Fact]
    public void A_value_message_with_no_values_too_many_values_a_repeated_origin_or_a_bad_inner_value_is_rejected_with_its_offset()
    {
        byte[] packet = Values(GossipMessageKind.Push, 2);
        byte[] none = packet[..GossipMessageView.ValuesOffset];
        none[GossipMessageView.ValueCountOffset] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 33), GossipMessageView.TryParse(none, out _));

        byte[] tooMany = (byte[])packet.Clone();
        tooMany[GossipMessageView.ValueCountOffset] = 7;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 33), GossipMessageView.TryParse(tooMany, out _));

        byte[] repeated = (byte[])packet.Clone();
        Value(0).CopyTo(repeated, GossipMessageView.ValuesOffset + GossipValueView.EncodedLength);
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 34 + 181 + 65), GossipMessageView.TryParse(repeated, out _));

        byte[] badInner = (byte[])packet.Clone();
        badInner[GossipMessageView.ValuesOffset + GossipValueView.EncodedLength + GossipValueView.KindOffset] = 9;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 34 + 181 + 64), GossipMessageView.TryParse(badInner, out _));

        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 34 + 181), GossipMessageView.TryParse(packet.AsSpan(0, packet.Length - 181), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, packet.Length), GossipMessageView.TryParse([.. packet, 0], out _));
    }

    [Fact]
    public void A_pull_request_round_trips_and_its_filter_holds_exactly_what_the_requester_added()
    {
        byte[] packet = PullRequest(16, 0, 2, 4);
        Assert.True(GossipMessageView.TryParse(packet, out GossipMessageView message).IsOk);
        Assert.Equal(GossipMessageKind.PullRequest, message.Kind);
        Assert.Equal(Info(0), message.RequesterValue.ToContactInfo());
        Assert.Equal(new Pubkey(Keys[0].PublicKey), message.From);
        BloomFilterView filter = message.Filter;
        Assert.Equal(4, filter.HashCount);
        Assert.Equal(16, filter.WordCount);
        Assert.Equal(99UL, filter.Salt);
        foreach (int held in new[] { 0, 2, 4 }) Assert.True(filter.Contains(Hash.Compute(Value(held))));
        foreach (int missing in new[] { 1, 3, 5, 6 }) Assert.False(filter.Contains(Hash.Compute(Value(missing))));
    }

    [Fact]
    public void A_pull_request_with_a_bad_filter_is_rejected_at_the_filter_field()
    {
        byte[] packet = PullRequest(4, 1);
        int at = GossipMessageView.FilterOffset;
        byte[] noHashes = (byte[])packet.Clone();
        noHashes[at] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, at), GossipMessageView.TryParse(noHashes, out _));
        byte[] nineHashes = (byte[])packet.Clone();
        nineHashes[at] = 9;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, at), GossipMessageView.TryParse(nineHashes, out _));
        byte[] noWords = (byte[])packet.Clone();
        noWords[at + BloomFilterView.WordCountOffset] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, at + 9), GossipMessageView.TryParse(noWords, out _));
        byte[] tooManyWords = (byte[])packet.Clone();
        tooManyWords[at + BloomFilterView.WordCountOffset] = 129;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, at + 9), GossipMessageView.TryParse(tooManyWords, out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, at + 10), GossipMessageView.TryParse(packet.AsSpan(0, packet.Length - 1), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, packet.Length), GossipMessageView.TryParse([.. packet, 0], out _));
        byte[] badValue = (byte[])packet.Clone();
        badValue[1 + GossipValueView.KindOffset] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 1 + 64), GossipMessageView.TryParse(badValue, out _));
    }

    [Fact]
    public void Ping_and_pong_round_trip_and_a_pong_signature_is_not_a_ping_signature()
    {
        byte[] token = Hash.Compute("token"u8).Span.ToArray();
        byte[] ping = Ping(GossipMessageKind.Ping, 3, token);
        Assert.True(GossipMessageView.TryParse(ping, out GossipMessageView pingView).IsOk);
        Assert.Equal(GossipMessageKind.Ping, pingView.Kind);
        Assert.Equal(new Pubkey(Keys[3].PublicKey), pingView.From);
        Assert.Equal(token, pingView.Token.ToArray());
        byte[] message = new byte[GossipMessageView.PingSigningMessageLength];
        pingView.WritePingSigningMessage(message);
        Assert.True(message.AsSpan().StartsWith(SigningDomains.Tag(SigningDomain.GossipPing)));
        Assert.True(Schnorr.Verify(Keys[3].PublicKey, message, pingView.PingSignatureBytes));

        byte[] pong = Ping(GossipMessageKind.Pong, 3, Hash.Compute(token).Span);
        Assert.True(GossipMessageView.TryParse(pong, out GossipMessageView pongView).IsOk);
        Assert.Equal(GossipMessageKind.Pong, pongView.Kind);
        // Re-labelled as a ping, the pong's signature no longer verifies (the kind byte is signed).
        byte[] relabelled = (byte[])pong.Clone();
        relabelled[0] = (byte)GossipMessageKind.Ping;
        Assert.True(GossipMessageView.TryParse(relabelled, out GossipMessageView relabelledView).IsOk);
        relabelledView.WritePingSigningMessage(message);
        Assert.False(Schnorr.Verify(Keys[3].PublicKey, message, relabelledView.PingSignatureBytes));

        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 1), GossipMessageView.TryParse(ping.AsSpan(0, 10), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 33), GossipMessageView.TryParse(ping.AsSpan(0, 40), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 65), GossipMessageView.TryParse(ping.AsSpan(0, 128), out _));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 129), GossipMessageView.TryParse([.. ping, 0], out _));
    }

    [Fact]
    public void An_empty_packet_an_unknown_kind_and_an_oversized_packet_are_rejected()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 0), GossipMessageView.TryParse([], out _));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), GossipMessageView.TryParse([0, 1, 2], out _));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), GossipMessageView.TryParse([6, 1, 2], out _));
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, 1232), GossipMessageView.TryParse(new byte[1233], out _));
    }

    [Fact]
    public void Random_and_mutated_packets_never_throw_and_a_rejection_names_an_offset_inside_the_packet()
    {
        var rng = DeterministicRng.FromSeed(11);
        byte[][] seeds = [Values(GossipMessageKind.Push, 6), PullRequest(8, 1, 2), Ping(GossipMessageKind.Ping, 1, new byte[32])];
        byte[] buffer = new byte[1300];
        int accepted = 0;
        for (int round = 0; round < 20_000; round++)
        {
            byte[] seed = seeds[round % seeds.Length];
            int length = round % 7 == 0 ? rng.NextInt(buffer.Length) : seed.Length - 3 + rng.NextInt(6);
            for (int i = 0; i < length; i++) buffer[i] = round % 7 == 0 ? (byte)rng.NextUInt64() : i < seed.Length ? seed[i] : (byte)0;
            int flips = rng.NextInt(3);
            for (int f = 0; f < flips && length > 0; f++) buffer[rng.NextInt(length)] ^= (byte)(1 << rng.NextInt(8));
            ReadOnlySpan<byte> input = buffer.AsSpan(0, length);
            DecodeResult result = GossipMessageView.TryParse(input, out GossipMessageView message);
            if (!result.IsOk)
            {
                Assert.InRange(result.Offset, 0, Math.Min(length, 1232));
                continue;
            }
            accepted++;
            Assert.Equal(length, message.Bytes.Length);
            Assert.InRange(message.ValueCount, 0, GossipMessageView.MaxValuesPerMessage);
        }
        Assert.True(accepted > 1_000, $"only {accepted} accepted");
    }

    [Fact]
    public void A_full_size_filter_of_a_hundred_values_has_no_false_negatives_and_few_false_positives()
    {
        var filter = new BloomFilter();
        int k = BloomFilter.OptimalHashCount(100, BloomFilter.MaxBits);
        Assert.Equal(8, k);
        filter.Reset(BloomFilter.MaxWords, k, 12345);
        for (int i = 0; i < 100; i++) filter.Add(Hash.Compute(BitConverter.GetBytes(i)));
        for (int i = 0; i < 100; i++) Assert.True(filter.Contains(Hash.Compute(BitConverter.GetBytes(i))));
        int falsePositives = 0;
        for (int i = 100; i < 100_100; i++) falsePositives += filter.Contains(Hash.Compute(BitConverter.GetBytes(i))) ? 1 : 0;
        Assert.True(falsePositives < 100, $"{falsePositives} false positives in 100,000"); // theory: ~ 2e-6 per check

        // A different salt moves every index, so a value that collides once is unlikely to collide again.
        var other = new BloomFilter();
        other.Reset(BloomFilter.MaxWords, k, 54321);
        for (int i = 0; i < 100; i++) other.Add(Hash.Compute(BitConverter.GetBytes(i)));
        int sameBits = 0;
        byte[] a = new byte[BloomFilter.MaxEncodedLength], b = new byte[BloomFilter.MaxEncodedLength];
        var wa = new SpanWriter(a);
        var wb = new SpanWriter(b);
        filter.Write(ref wa);
        other.Write(ref wb);
        for (int i = BloomFilter.HeaderLength; i < a.Length; i++) sameBits += System.Numerics.BitOperations.PopCount((uint)(a[i] & b[i]));
        Assert.True(sameBits < 200, $"{sameBits} bits set in both");
    }
}
