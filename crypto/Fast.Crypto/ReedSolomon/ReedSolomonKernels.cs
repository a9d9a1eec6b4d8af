using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Fast.Crypto.Interop;

namespace Fast.Crypto.ReedSolomon;

/// <summary>Which multiply-accumulate loop a Reed-Solomon call runs; <see cref="Auto"/> picks the fastest this CPU has.</summary>
public enum ReedSolomonKernel
{
    Auto = 0,

    /// <summary>Portable C#: one 256-byte product row per coefficient, a byte at a time. The reference the others are tested against.</summary>
    Scalar,

    /// <summary>C# <c>Vector256</c>: split-nibble table lookups with AVX2 <c>vpshufb</c>, 32 bytes per step.</summary>
    Avx2,

    /// <summary>C# <c>Vector512</c>: split-nibble lookups with AVX-512BW shuffles and <c>vpternlogq</c>, 64 bytes per step.</summary>
    Avx512,

    /// <summary>Our C kernel (crypto/native/reedsol_gfni.c): one <c>vgf2p8affineqb</c> per 64-byte product, 16 rows in registers.</summary>
    Gfni,
}

/// <summary>
/// The inner loop of encoding and recovery: for r &lt; rows, dst[r] = Σ_j coef[j·rows + r] · src[j]
/// over GF(2^8), bytewise, with the coefficients source-major (one source's column of coefficients is
/// contiguous). Every kernel gives identical bytes; they differ only in speed. Destinations are
/// written, never read, and must not overlap the sources.
/// </summary>
internal static unsafe class ReedSolomonKernels
{
    private const int Avx512Group = 4;

    /// <summary>The kernel <see cref="ReedSolomonKernel.Auto"/> runs on this CPU.</summary>
    public static ReedSolomonKernel Best { get; } = ChooseBest();

    public static bool IsSupported(ReedSolomonKernel kernel) => kernel switch
    {
        ReedSolomonKernel.Auto or ReedSolomonKernel.Scalar => true,
        ReedSolomonKernel.Avx2 => Avx2.IsSupported,
        ReedSolomonKernel.Avx512 => Avx512BW.IsSupported,
        ReedSolomonKernel.Gfni => FastCryptoNative.RsGfniSupported() != 0,
        _ => false,
    };

    private static ReedSolomonKernel ChooseBest()
    {
        if (IsSupported(ReedSolomonKernel.Gfni)) return ReedSolomonKernel.Gfni;
        if (IsSupported(ReedSolomonKernel.Avx512)) return ReedSolomonKernel.Avx512;
        if (IsSupported(ReedSolomonKernel.Avx2)) return ReedSolomonKernel.Avx2;
        return ReedSolomonKernel.Scalar;
    }

    /// <summary>Runs <paramref name="kernel"/> (already resolved and supported); <paramref name="affine"/> is only read by GFNI.</summary>
    public static void Multiply(ReedSolomonKernel kernel, byte* coef, ulong* affine, int k, byte** src, int rows, byte** dst, int length)
    {
        if (rows == 0 || length == 0) return;
        switch (kernel)
        {
            case ReedSolomonKernel.Gfni:
                FastCryptoNative.RsGfniMul(affine, (nuint)k, src, (nuint)rows, dst, (nuint)length);
                return;
            case ReedSolomonKernel.Avx512 when length >= Vector512<byte>.Count:
                MultiplyAvx512(coef, k, src, rows, dst, length);
                return;
            case ReedSolomonKernel.Avx512 or ReedSolomonKernel.Avx2 when length >= Vector256<byte>.Count:
                MultiplyAvx2(coef, k, src, rows, dst, length);
                return;
            default:
                MultiplyScalar(coef, k, src, rows, dst, length);
                return;
        }
    }

    public static void MultiplyScalar(byte* coef, int k, byte** src, int rows, byte** dst, int length)
    {
        for (int r = 0; r < rows; r++)
        {
            byte* output = dst[r];
            fixed (byte* first = GaloisField.ProductRow(coef[r]))
            {
                byte* input = src[0];
                for (int i = 0; i < length; i++) output[i] = first[input[i]];
            }
            for (int j = 1; j < k; j++)
            {
                byte c = coef[j * rows + r];
                if (c == 0) continue;
                fixed (byte* products = GaloisField.ProductRow(c))
                {
                    byte* input = src[j];
                    for (int i = 0; i < length; i++) output[i] ^= products[input[i]];
                }
            }
        }
    }

    /// <summary>32 bytes per step; the last step overlaps the one before when the length is not a multiple of 32 (recomputing the same bytes).</summary>
    private static void MultiplyAvx2(byte* coef, int k, byte** src, int rows, byte** dst, int length)
    {
        fixed (byte* nibbles = GaloisField.AllNibbleTables)
        {
            var low = Vector256.Create((byte)0x0F);
            for (int offset = 0; offset < length; offset += Vector256<byte>.Count)
            {
                int at = Math.Min(offset, length - Vector256<byte>.Count);
                for (int r = 0; r < rows; r++)
                {
                    Vector256<byte> acc = Vector256<byte>.Zero;
                    for (int j = 0; j < k; j++)
                    {
                        var x = Vector256.Load(src[j] + at);
                        byte* table = nibbles + (coef[j * rows + r] << 5);
                        Vector256<byte> lo = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table), x & low);
                        Vector256<byte> hi = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table + 16), Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
                        acc ^= lo ^ hi;
                    }
                    acc.Store(dst[r] + at);
                }
            }
        }
    }

    /// <summary>64 bytes per step, four output rows per pass over the sources (their accumulators stay in registers).</summary>
    private static void MultiplyAvx512(byte* coef, int k, byte** src, int rows, byte** dst, int length)
    {
        fixed (byte* nibbles = GaloisField.AllNibbleTables)
        {
            for (int offset = 0; offset < length; offset += Vector512<byte>.Count)
            {
                int at = Math.Min(offset, length - Vector512<byte>.Count);
                int r = 0;
                for (; r + Avx512Group <= rows; r += Avx512Group) Avx512Rows4(coef + r, rows, k, src, dst + r, at, nibbles);
                for (; r < rows; r++) Avx512Row(coef + r, rows, k, src, dst[r], at, nibbles);
            }
        }
    }

    private static void Avx512Rows4(byte* coef, int stride, int k, byte** src, byte** dst, int at, byte* nibbles)
    {
        var low = Vector512.Create((byte)0x0F);
        Vector512<byte> a0 = Vector512<byte>.Zero, a1 = Vector512<byte>.Zero, a2 = Vector512<byte>.Zero, a3 = Vector512<byte>.Zero;
        for (int j = 0; j < k; j++)
        {
            var x = Vector512.Load(src[j] + at);
            Vector512<byte> lo = x & low;
            Vector512<byte> hi = Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low;
            byte* c = coef + j * stride;
            a0 = MultiplyAdd(a0, nibbles + (c[0] << 5), lo, hi);
            a1 = MultiplyAdd(a1, nibbles + (c[1] << 5), lo, hi);
            a2 = MultiplyAdd(a2, nibbles + (c[2] << 5), lo, hi);
            a3 = MultiplyAdd(a3, nibbles + (c[3] << 5), lo, hi);
        }
        a0.Store(dst[0] + at);
        a1.Store(dst[1] + at);
        a2.Store(dst[2] + at);
        a3.Store(dst[3] + at);
    }

    private static void Avx512Row(byte* coef, int stride, int k, byte** src, byte* dst, int at, byte* nibbles)
    {
        var low = Vector512.Create((byte)0x0F);
        Vector512<byte> acc = Vector512<byte>.Zero;
        for (int j = 0; j < k; j++)
        {
            var x = Vector512.Load(src[j] + at);
            acc = MultiplyAdd(acc, nibbles + (coef[j * stride] << 5), x & low, Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
        }
        acc.Store(dst + at);
    }

    /// <summary>acc ⊕ c·x, with c's nibble tables at <paramref name="table"/> and x split into its nibbles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> MultiplyAdd(Vector512<byte> acc, byte* table, Vector512<byte> lo, Vector512<byte> hi)
    {
        Vector512<byte> tableLo = Avx512F.BroadcastVector128ToVector512((uint*)table).AsByte();
        Vector512<byte> tableHi = Avx512F.BroadcastVector128ToVector512((uint*)(table + 16)).AsByte();
        return Avx512F.TernaryLogic(acc, Avx512BW.Shuffle(tableLo, lo), Avx512BW.Shuffle(tableHi, hi), 0x96);
    }
}
