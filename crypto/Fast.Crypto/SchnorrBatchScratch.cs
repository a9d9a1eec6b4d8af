using System.Runtime.InteropServices;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// The working memory of batch verification (<see cref="Schnorr.VerifyBatch"/>) for up to
/// <see cref="Capacity"/> signatures: libsecp256k1's multi-scalar-multiplication scratch space
/// plus the native pointer arrays a call fills. Made once and reused, so a verification allocates
/// nothing. Not thread-safe: one per thread (each sigverify worker owns one).
/// </summary>
public sealed unsafe class SchnorrBatchScratch : IDisposable
{
    /// <summary>The most signatures one scratch can take (FAST_SCHNORRSIG_BATCH_MAX in the C module).</summary>
    public const int MaxCapacity = 65536;

    private nint _native;

    public SchnorrBatchScratch(int capacity)
    {
        if (capacity < 1 || capacity > MaxCapacity) ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), $"1..{MaxCapacity}");
        Capacity = capacity;
        _native = Secp256k1Native.BatchScratchCreate(Schnorr.Context, (nuint)capacity);
        if (_native == 0) ThrowHelper.ThrowNativeFailure("fast_schnorrsig_batch_scratch_create");
        nuint pointers = (nuint)capacity * (nuint)sizeof(nint);
        Signatures = (byte**)NativeMemory.Alloc(pointers);
        Messages = (byte**)NativeMemory.Alloc(pointers);
        PublicKeys = (byte**)NativeMemory.Alloc(pointers);
        MessageLengths = (nuint*)NativeMemory.Alloc(pointers);
    }

    public int Capacity { get; }

    internal nint Native => _native != 0 ? _native : ThrowDisposed();

    internal byte** Signatures { get; }
    internal byte** Messages { get; }
    internal byte** PublicKeys { get; }
    internal nuint* MessageLengths { get; }

    private static nint ThrowDisposed() => throw new ObjectDisposedException(nameof(SchnorrBatchScratch));

    public void Dispose()
    {
        if (_native == 0) return;
        Secp256k1Native.BatchScratchDestroy(Schnorr.Context, _native);
        _native = 0;
        NativeMemory.Free(Signatures);
        NativeMemory.Free(Messages);
        NativeMemory.Free(PublicKeys);
        NativeMemory.Free(MessageLengths);
        GC.SuppressFinalize(this);
    }

    ~SchnorrBatchScratch()
    {
        if (_native != 0) Secp256k1Native.BatchScratchDestroy(Schnorr.Context, _native);
        NativeMemory.Free(Signatures);
        NativeMemory.Free(Messages);
        NativeMemory.Free(PublicKeys);
        NativeMemory.Free(MessageLengths);
    }
}
