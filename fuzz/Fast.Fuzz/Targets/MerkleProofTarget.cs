using System.Runtime.InteropServices;
using Fast.Core.Codec;
using Fast.Core.Merkle;
using Fast.Core.Primitives;

namespace Fast.Fuzz.Targets;

/// <summary>
/// MerkleProofView.TryParse, re-encoded with <see cref="MerkleProofWriter"/>; an accepted proof is
/// also walked to a root (the verification path must not trip on any accepted shape).
/// </summary>
public readonly struct MerkleProofTarget : IFuzzTarget
{
    public string Name => "merkle-proof";

    public int MaxInputLength => MerkleProofView.MaxEncodedLength + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = MerkleProofView.TryParse(input, out MerkleProofView proof);
        if (!result.IsOk) return result.Status;
        Hash leaf = default;
        _ = proof.ComputeRoot(leaf);
        SpanWriter writer = new(scratch);
        MerkleProofWriter.Write(ref writer, proof.LeafIndex, proof.LeafCount, MemoryMarshal.Cast<byte, Hash>(proof.Siblings));
        canonical = !writer.Overflowed && writer.Written.SequenceEqual(input);
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        List<FuzzSeed> seeds = [];
        foreach ((int index, int count) in new[] { (0, 1), (1, 2), (4, 5), (6, 13), (63, 64), (1000, 1025), (12345, 1 << 20), (int.MaxValue - 1, int.MaxValue) })
        {
            int length = MerkleTree.ProofLength(index, count);
            Hash[] siblings = [.. Enumerable.Range(0, length).Select(i => Hash.Compute([(byte)i, (byte)count]))];
            byte[] wire = new byte[MerkleProofWriter.EncodedLength(length)];
            SpanWriter writer = new(wire);
            MerkleProofWriter.Write(ref writer, index, count, siblings);
            seeds.Add(new FuzzSeed(wire, [0, 4, 8]));
        }
        return seeds;
    }
}
