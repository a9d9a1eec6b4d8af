using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fast.Crypto.ReedSolomon;

/// <summary>
/// Gauss-Jordan elimination over GF(2^8) on a row-major matrix in caller memory: inverts the
/// Vandermonde top block when a code is made, and solves for the decode matrix of each recovery
/// pattern in scratch space (no allocation). Row operations (row ^= c·pivot) run on whole rows with
/// AVX2 nibble lookups when the row stride is a multiple of 32, and skip rows whose entry is already 0.
/// </summary>
internal static class GaloisMatrix
{
    /// <summary>
    /// Reduces the first <paramref name="rows"/> columns of a rows × <paramref name="stride"/> matrix to
    /// the identity, applying the same row operations to the columns after them. False when the
    /// left block is singular (never for a square block of an MDS code).
    /// </summary>
    public static bool Eliminate(Span<byte> matrix, int rows, int stride)
    {
        for (int col = 0; col < rows; col++)
        {
            int pivot = col;
            while (pivot < rows && matrix[pivot * stride + col] == 0) pivot++;
            if (pivot == rows) return false;
            Span<byte> pivotRow = matrix.Slice(col * stride, stride);
            if (pivot != col) Swap(pivotRow, matrix.Slice(pivot * stride, stride));
            byte scale = GaloisField.Inverse(pivotRow[col]);
            if (scale != 1) Scale(pivotRow, scale);
            for (int r = 0; r < rows; r++)
            {
                if (r == col) continue;
                Span<byte> row = matrix.Slice(r * stride, stride);
                byte factor = row[col];
                if (factor != 0) MultiplyAdd(row, pivotRow, factor);
            }
        }
        return true;
    }

    /// <summary>row ^= c · source, over the whole row.</summary>
    public static unsafe void MultiplyAdd(Span<byte> row, ReadOnlySpan<byte> source, byte c)
    {
        if (Avx2.IsSupported && (row.Length & 31) == 0)
        {
            fixed (byte* r = row)
            fixed (byte* s = source)
            fixed (byte* table = GaloisField.NibbleTables(c))
            {
                Vector256<byte> tableLo = Avx2.BroadcastVector128ToVector256(table);
                Vector256<byte> tableHi = Avx2.BroadcastVector128ToVector256(table + 16);
                var low = Vector256.Create((byte)0x0F);
                for (int i = 0; i < row.Length; i += 32)
                {
                    var x = Vector256.Load(s + i);
                    Vector256<byte> product = Avx2.Shuffle(tableLo, x & low) ^ Avx2.Shuffle(tableHi, Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
                    (Vector256.Load(r + i) ^ product).Store(r + i);
                }
            }
            return;
        }
        ReadOnlySpan<byte> products = GaloisField.ProductRow(c);
        for (int i = 0; i < row.Length; i++) row[i] ^= products[source[i]];
    }

    private static void Scale(Span<byte> row, byte c)
    {
        ReadOnlySpan<byte> products = GaloisField.ProductRow(c);
        for (int i = 0; i < row.Length; i++) row[i] = products[row[i]];
    }

    private static void Swap(Span<byte> a, Span<byte> b)
    {
        for (int i = 0; i < a.Length; i++) (a[i], b[i]) = (b[i], a[i]);
    }
}
