using Fast.Core.Codec;

namespace Fast.Fuzz;

/// <summary>
/// One decoder under fuzz. <see cref="Check"/> decodes an input and, when the decoder accepts it,
/// re-encodes the decoded value from its fields with the format's writer: a canonical format gives
/// back exactly the input. Implementations are structs, so the engine's loop is specialised per
/// target with no virtual call per input.
/// </summary>
public interface IFuzzTarget
{
    string Name { get; }

    /// <summary>The mutation buffer's size: the longest input worth trying (past every format limit).</summary>
    int MaxInputLength { get; }

    /// <summary>Valid encodings to mutate, each with the offsets of its length/count fields.</summary>
    IReadOnlyList<FuzzSeed> CreateSeeds();

    /// <summary>
    /// Decodes <paramref name="input"/>; on success re-encodes into <paramref name="scratch"/> and sets
    /// <paramref name="canonical"/> to whether that equals the input. Must not allocate.
    /// </summary>
    DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical);
}

/// <summary>A valid encoding and where its length/count fields are (the mutator edits those on purpose).</summary>
public sealed record FuzzSeed(byte[] Bytes, int[] LengthFields);
