namespace Fast.Core.Poh;

/// <summary>Why the verifier rejected a list of entries.</summary>
public enum PohVerifyStatus : byte
{
    Ok = 0,

    /// <summary>The chain from the previous entry's hash does not reach this entry's hash.</summary>
    HashMismatch,

    /// <summary>An entry with transactions claims zero hashes (the mixin is itself a hash).</summary>
    MixinWithoutHash,

    /// <summary>The hashes between two ticks do not add up to hashes-per-tick (Agave's verify_tick_hash_count).</summary>
    TickHashCount,
}

/// <summary>The verifier's verdict: valid, or the status and the index of the first bad entry.</summary>
public readonly record struct PohVerifyResult(PohVerifyStatus Status, int EntryIndex)
{
    public static PohVerifyResult Valid => new(PohVerifyStatus.Ok, -1);

    public bool IsValid => Status == PohVerifyStatus.Ok;

    public override string ToString() => IsValid ? "valid" : $"{Status} at entry {EntryIndex}";
}

/// <summary>Which SHA-256 loop the verifier runs its independent chains on.</summary>
public enum PohHashPath : byte
{
    /// <summary>The fastest this CPU has (see <see cref="PohVerifier.DefaultPath"/>).</summary>
    Default = 0,

    /// <summary>The C kernel, up to 4 chains interleaved on SHA-NI (portable C without SHA-NI).</summary>
    ShaNiInterleaved,

    /// <summary>The C kernel, one chain at a time (the generator's loop; the reference).</summary>
    ShaNiSingle,

    /// <summary>C# AVX-512, 16 chains in the lanes of a Vector512.</summary>
    Avx512Lanes16,

    /// <summary>C# AVX2, 8 chains in the lanes of a Vector256.</summary>
    Avx2Lanes8,

    /// <summary>Portable C, one chain at a time.</summary>
    Portable,
}
