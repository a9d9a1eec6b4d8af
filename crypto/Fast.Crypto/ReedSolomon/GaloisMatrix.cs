using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fast.Crypto.ReedSolomon;

/// <summary>
/// Gauss-Jordan elimination over GF(2^8) on a row-major matrix in caller memory: inverts the
/// Vandermonde top block when a code is made, and solves for the decode matrix of each recovery
/// pattern in scratch space (no allocation). Row operations (row ^= c·pivot, pivot *= c⁻¹) run on
/// whole rows with nibble-table shuffles — one AVX-512 step per 64-byte row, AVX2 per 32 bytes —
/// and skip rows whose entry is already 0.
/// </summary>
internal static unsafe class GaloisMatrix
{
    /// <summary>
    /// Reduces the first <paramref name="rows"/> columns of a rows × <paramref name="stride"/> matrix to
    /// the identity, applying the same row operations to the columns after them. False when the
    /// left block is singular (never for a square block of an MDS code).
    /// </summary>
    public static bool Eliminate(Span<byte> matrix, int rows, int stride)
    {
        fixed (byte* m = matrix)
        fixed (byte* nibbles = GaloisField.AllNibbleTables)
        {
            for (int col = 0; col < rows; col++)
            {
                int pivot = col;
                while (pivot < rows && m[pivot * stride + col] == 0) pivot++;
                if (pivot == rows) return false;
                byte* pivotRow = m + col * stride;
                if (pivot != col) Swap(pivotRow, m + pivot * stride, stride);
                byte scale = GaloisField.Inverse(pivotRow[col]);
                if (scale != 1) RowOp(pivotRow, pivotRow, nibbles + (scale << 5), stride, accumulate: false);
                for (int r = 0; r < rows; r++)
                {
                    byte* row = m + r * stride;
                    byte factor = row[col];
                    if (r != col && factor != 0) RowOp(row, pivotRow, nibbles + (factor << 5), stride, accumulate: true);
                }
            }
        }
        return true;
    }

    /// <summary>row = (accumulate ? row : 0) ⊕ c·source over <paramref name="length"/> bytes; c's nibble tables at <paramref name="table"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowOp(byte* row, byte* source, byte* table, int length, bool accumulate)
    {
        int i = 0;
        if (Avx512BW.IsSupported)
        {
            var low = Vector512.Create((byte)0x0F);
            Vector512<byte> tableLo = Avx512F.BroadcastVector128ToVector512((uint*)table).AsByte();
            Vector512<byte> tableHi = Avx512F.BroadcastVector128ToVector512((uint*)(table + 16)).AsByte();
            for (; i + 64 <= length; i += 64)
            {
                var x = Vector512.Load(source + i);
                Vector512<byte> product = Avx512BW.Shuffle(tableLo, x & low) ^ Avx512BW.Shuffle(tableHi, Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
                (accumulate ? Vector512.Load(row + i) ^ product : product).Store(row + i);
            }
        }
        if (Avx2.IsSupported)
        {
            var low = Vector256.Create((byte)0x0F);
            Vector256<byte> tableLo = Avx2.BroadcastVector128ToVector256(table);
            Vector256<byte> tableHi = Avx2.BroadcastVector128ToVector256(table + 16);
            for (; i + 32 <= length; i += 32)
            {
                var x = Vector256.Load(source + i);
                Vector256<byte> product = Avx2.Shuffle(tableLo, x & low) ^ Avx2.Shuffle(tableHi, Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
                (accumulate ? Vector256.Load(row + i) ^ product : product).Store(row + i);
            }
        }
        for (; i < length; i++)
        {
            byte x = source[i];
            byte product = (byte)(table[x & 0x0F] ^ table[16 + (x >> 4)]);
            row[i] = accumulate ? (byte)(row[i] ^ product) : product;
        }
    }

    private static void Swap(byte* a, byte* b, int length)
    {
        for (int i = 0; i < length; i++) (a[i], b[i]) = (b[i], a[i]);
    }
}
