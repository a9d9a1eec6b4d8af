using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fast.Crypto;

/// <summary>
/// The vector operations SHA-256 needs, over a SIMD register of 32-bit lanes. Implemented by
/// structs so <see cref="Sha256Lanes.Chain{TLanes, TVector}"/> is specialised per width with every
/// call inlined (static abstract members, no virtual dispatch).
/// </summary>
internal interface ILanes<TVector>
    where TVector : unmanaged
{
    static abstract int Count { get; }

    static abstract TVector Broadcast(uint value);

    static abstract TVector Load(ref uint source);

    static abstract void Store(TVector value, ref uint destination);

    static abstract TVector Add(TVector x, TVector y);

    /// <summary>Σ0(x) = ror(x, 2) ^ ror(x, 13) ^ ror(x, 22).</summary>
    static abstract TVector BigSigma0(TVector x);

    /// <summary>Σ1(x) = ror(x, 6) ^ ror(x, 11) ^ ror(x, 25).</summary>
    static abstract TVector BigSigma1(TVector x);

    /// <summary>σ0(x) = ror(x, 7) ^ ror(x, 18) ^ (x &gt;&gt; 3).</summary>
    static abstract TVector SmallSigma0(TVector x);

    /// <summary>σ1(x) = ror(x, 17) ^ ror(x, 19) ^ (x &gt;&gt; 10).</summary>
    static abstract TVector SmallSigma1(TVector x);

    /// <summary>Ch(e, f, g) = (e &amp; f) ^ (~e &amp; g).</summary>
    static abstract TVector Choose(TVector e, TVector f, TVector g);

    /// <summary>Maj(a, b, c) = (a &amp; b) ^ (a &amp; c) ^ (b &amp; c).</summary>
    static abstract TVector Majority(TVector a, TVector b, TVector c);
}

/// <summary>16 lanes with AVX-512F: rotates are one vprord, three-input logic one vpternlogd.</summary>
internal readonly struct Lanes16 : ILanes<Vector512<uint>>
{
    // vpternlogd truth tables over (A = 0xF0, B = 0xCC, C = 0xAA).
    private const byte Xor3 = 0x96;
    private const byte Ch = 0xCA;
    private const byte Maj = 0xE8;

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(ref uint source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> x, Vector512<uint> y) => Avx512F.Add(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> BigSigma0(Vector512<uint> x) =>
        Avx512F.TernaryLogic(Avx512F.RotateRight(x, 2), Avx512F.RotateRight(x, 13), Avx512F.RotateRight(x, 22), Xor3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> BigSigma1(Vector512<uint> x) =>
        Avx512F.TernaryLogic(Avx512F.RotateRight(x, 6), Avx512F.RotateRight(x, 11), Avx512F.RotateRight(x, 25), Xor3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> SmallSigma0(Vector512<uint> x) =>
        Avx512F.TernaryLogic(Avx512F.RotateRight(x, 7), Avx512F.RotateRight(x, 18), Avx512F.ShiftRightLogical(x, 3), Xor3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> SmallSigma1(Vector512<uint> x) =>
        Avx512F.TernaryLogic(Avx512F.RotateRight(x, 17), Avx512F.RotateRight(x, 19), Avx512F.ShiftRightLogical(x, 10), Xor3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) => Avx512F.TernaryLogic(e, f, g, Ch);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, Maj);
}

/// <summary>8 lanes with plain AVX2 (rotates as two shifts and an or): the path for CPUs without AVX-512.</summary>
internal readonly struct Lanes8 : ILanes<Vector256<uint>>
{
    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Load(ref uint source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> x, Vector256<uint> y) => Avx2.Add(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> BigSigma0(Vector256<uint> x) => Avx2.Xor(Avx2.Xor(Avx2.Or(Avx2.ShiftRightLogical(x, 2), Avx2.ShiftLeftLogical(x, 30)), Avx2.Or(Avx2.ShiftRightLogical(x, 13), Avx2.ShiftLeftLogical(x, 19))), Avx2.Or(Avx2.ShiftRightLogical(x, 22), Avx2.ShiftLeftLogical(x, 10)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> BigSigma1(Vector256<uint> x) => Avx2.Xor(Avx2.Xor(Avx2.Or(Avx2.ShiftRightLogical(x, 6), Avx2.ShiftLeftLogical(x, 26)), Avx2.Or(Avx2.ShiftRightLogical(x, 11), Avx2.ShiftLeftLogical(x, 21))), Avx2.Or(Avx2.ShiftRightLogical(x, 25), Avx2.ShiftLeftLogical(x, 7)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> SmallSigma0(Vector256<uint> x) => Avx2.Xor(Avx2.Xor(Avx2.Or(Avx2.ShiftRightLogical(x, 7), Avx2.ShiftLeftLogical(x, 25)), Avx2.Or(Avx2.ShiftRightLogical(x, 18), Avx2.ShiftLeftLogical(x, 14))), Avx2.ShiftRightLogical(x, 3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> SmallSigma1(Vector256<uint> x) => Avx2.Xor(Avx2.Xor(Avx2.Or(Avx2.ShiftRightLogical(x, 17), Avx2.ShiftLeftLogical(x, 15)), Avx2.Or(Avx2.ShiftRightLogical(x, 19), Avx2.ShiftLeftLogical(x, 13))), Avx2.ShiftRightLogical(x, 10));

    /// <summary>g ^ (e &amp; (f ^ g)): three operations instead of four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) => Avx2.Xor(g, Avx2.And(e, Avx2.Xor(f, g)));

    /// <summary>(a &amp; b) | (c &amp; (a | b)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => Avx2.Or(Avx2.And(a, b), Avx2.And(c, Avx2.Or(a, b)));
}
