namespace Fast.Crypto.ReedSolomon;

/// <summary>
/// GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2: the field of
/// Solana's shred erasure code (rust-rse <c>galois_8</c>, klauspost/reedsolomon, Firedancer
/// <c>reedsol</c>). Besides the log/antilog tables it holds, per field element c, the forms the
/// kernels multiply by c with: a 256-byte product row (scalar), two 16-entry nibble tables
/// (<c>vpshufb</c>), and the 8×8 bit matrix of <c>vgf2p8affineqb</c> (GFNI). All built once at start.
/// </summary>
public static class GaloisField
{
    /// <summary>The reduction polynomial with its x^8 bit.</summary>
    public const int Polynomial = 0x11D;

    private static readonly byte[] ExpTable = BuildExp();
    private static readonly byte[] LogTable = BuildLog(ExpTable);
    private static readonly byte[] InverseTable = BuildInverse();
    private static readonly byte[] ProductTable = BuildProducts();
    private static readonly byte[] NibbleTable = BuildNibbles();
    private static readonly ulong[] AffineTable = BuildAffine();

    public static byte Multiply(byte a, byte b) => ProductTable[(a << 8) | b];

    /// <summary>The multiplicative inverse; 0 has none (returns 0).</summary>
    public static byte Inverse(byte a) => InverseTable[a];

    /// <summary>a^n with 0^0 = 1, as the Vandermonde matrix of the shred code defines it.</summary>
    public static byte Power(byte a, int n)
    {
        if (n == 0) return 1;
        if (a == 0) return 0;
        return ExpTable[LogTable[a] * n % 255];
    }

    /// <summary>The 256 products c·x for x = 0..255.</summary>
    public static ReadOnlySpan<byte> ProductRow(byte c) => ProductTable.AsSpan(c << 8, 256);

    /// <summary>c·x for the low nibble x (bytes 0..15), then c·(x &lt;&lt; 4) for the high nibble (bytes 16..31).</summary>
    public static ReadOnlySpan<byte> NibbleTables(byte c) => NibbleTable.AsSpan(c << 5, 32);

    /// <summary>All nibble tables, 32 bytes per coefficient (what the SIMD kernels index).</summary>
    internal static ReadOnlySpan<byte> AllNibbleTables => NibbleTable;

    /// <summary>The 8×8 bit matrix A with A·x = c·x, in <c>vgf2p8affineqb</c>'s layout (row i of the product in byte 7 − i).</summary>
    public static ulong AffineMatrix(byte c) => AffineTable[c];

    private static byte[] BuildExp()
    {
        byte[] exp = new byte[255];
        int x = 1;
        for (int i = 0; i < 255; i++)
        {
            exp[i] = (byte)x;
            x <<= 1;
            if ((x & 0x100) != 0) x ^= Polynomial;
        }
        return exp;
    }

    private static byte[] BuildLog(byte[] exp)
    {
        byte[] log = new byte[256];
        for (int i = 0; i < 255; i++) log[exp[i]] = (byte)i;
        return log;
    }

    private static byte SlowMultiply(int a, int b)
    {
        if (a == 0 || b == 0) return 0;
        return ExpTable[(LogTable[a] + LogTable[b]) % 255];
    }

    private static byte[] BuildInverse()
    {
        byte[] inverse = new byte[256];
        for (int a = 1; a < 256; a++) inverse[a] = ExpTable[(255 - LogTable[a]) % 255];
        return inverse;
    }

    private static byte[] BuildProducts()
    {
        byte[] products = new byte[256 * 256];
        for (int a = 0; a < 256; a++)
        {
            for (int b = 0; b < 256; b++) products[(a << 8) | b] = SlowMultiply(a, b);
        }
        return products;
    }

    private static byte[] BuildNibbles()
    {
        byte[] nibbles = new byte[256 * 32];
        for (int c = 0; c < 256; c++)
        {
            for (int x = 0; x < 16; x++)
            {
                nibbles[(c << 5) + x] = SlowMultiply(c, x);
                nibbles[(c << 5) + 16 + x] = SlowMultiply(c, x << 4);
            }
        }
        return nibbles;
    }

    private static ulong[] BuildAffine()
    {
        ulong[] affine = new ulong[256];
        for (int c = 0; c < 256; c++)
        {
            ulong matrix = 0;
            for (int i = 0; i < 8; i++)
            {
                // Row i: the input bits j whose product c·2^j has bit i set.
                int row = 0;
                for (int j = 0; j < 8; j++) row |= ((SlowMultiply(c, 1 << j) >> i) & 1) << j;
                matrix |= (ulong)row << (8 * (7 - i));
            }
            affine[c] = matrix;
        }
        return affine;
    }
}
