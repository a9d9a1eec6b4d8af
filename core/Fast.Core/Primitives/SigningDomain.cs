namespace Fast.Core.Primitives;

/// <summary>
/// Domain separation for signatures (ARCHITECTURE.md, "Signatures are domain-separated"): every kind of
/// signed message other than a transaction is signed as <c>tag ‖ payload</c>, with a tag of its own,
/// so no signed message can be replayed as another kind. A transaction message starts with
/// required_signatures (1..16), so a message starting with 0xFF can never parse as a transaction:
/// every tag starts with 0xFF. Tags are fixed, versioned ASCII after that byte; changing one is a
/// wire-format change (docs/wire-format.md).
/// </summary>
public enum SigningDomain : byte
{
    /// <summary>A FEC set's chained Merkle root, signed by the slot's leader.</summary>
    ShredRoot = 1,
    /// <summary>A gossip value (contact info), signed by its origin.</summary>
    GossipValue = 2,
    /// <summary>A gossip ping or pong.</summary>
    GossipPing = 3,
    /// <summary>A repair request, signed by the requester.</summary>
    RepairRequest = 4,
    /// <summary>A vote (consensus).</summary>
    Vote = 5,
}

/// <summary>The tag bytes of each <see cref="SigningDomain"/> and the tagged message a signature covers.</summary>
public static class SigningDomains
{
    /// <summary>Every tag is 16 bytes: 0xFF, "fast:", a kind name and a version digit (15 ASCII characters in all).</summary>
    public const int TagSize = 16;

    private static readonly byte[] ShredRootTag = Make("fast:shredroot1");
    private static readonly byte[] GossipValueTag = Make("fast:gossipval1");
    private static readonly byte[] GossipPingTag = Make("fast:gossippng1");
    private static readonly byte[] RepairRequestTag = Make("fast:repairreq1");
    private static readonly byte[] VoteTag = Make("fast:voteblock1");

    /// <summary>The 16-byte tag of <paramref name="domain"/>.</summary>
    public static ReadOnlySpan<byte> Tag(SigningDomain domain) => domain switch
    {
        SigningDomain.ShredRoot => ShredRootTag,
        SigningDomain.GossipValue => GossipValueTag,
        SigningDomain.GossipPing => GossipPingTag,
        SigningDomain.RepairRequest => RepairRequestTag,
        SigningDomain.Vote => VoteTag,
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };

    private static byte[] Make(string name)
    {
        if (name.Length != TagSize - 1) throw new ArgumentException("a tag is 15 ASCII characters after 0xFF", nameof(name));
        byte[] tag = new byte[TagSize];
        tag[0] = 0xFF;
        for (int i = 0; i < name.Length; i++) tag[i + 1] = (byte)name[i];
        return tag;
    }

    /// <summary>Writes <c>tag ‖ payload</c> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(SigningDomain domain, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        Tag(domain).CopyTo(destination);
        payload.CopyTo(destination[TagSize..]);
        return TagSize + payload.Length;
    }
}
