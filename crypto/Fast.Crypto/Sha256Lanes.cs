using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fast.Crypto;

/// <summary>
/// The SIMD SHA-256 compression for <see cref="Sha256MultiLane"/>: one 32-byte chain per lane,
/// written once over <see cref="ILanes{TVector}"/> so the JIT/AOT compiler specialises it for
/// 16 lanes (AVX-512: vprord rotates, vpternlogd for Ch/Maj/xor3) and 8 lanes (AVX2).
/// </summary>
internal static unsafe class Sha256Lanes
{
    private static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static ReadOnlySpan<uint> Iv => [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>
    /// <paramref name="n"/> links of every lane's chain. <paramref name="state"/> is transposed:
    /// word j of lane l at <c>state[j * lanes + l]</c> (FIPS word order, native-endian uints).
    /// </summary>
    [SkipLocalsInit]
    internal static void Chain<TLanes, TVector>(Span<uint> state, ulong n)
        where TLanes : struct, ILanes<TVector>
        where TVector : unmanaged
    {
        int lanes = TLanes.Count;
        // The message schedule W0..W63, one vector per word, 64-byte aligned so no load splits a cache line.
        byte* raw = stackalloc byte[64 * sizeof(TVector) + 64];
        var w = (TVector*)(((nuint)raw + 63) & ~(nuint)63);
        ref uint k = ref MemoryMarshal.GetReference(K);
        ref uint iv = ref MemoryMarshal.GetReference(Iv);
        ref uint s = ref MemoryMarshal.GetReference(state);

        // A 32-byte message: W8 = 0x80000000, W9..W14 = 0, W15 = 256 (the length in bits).
        w[8] = TLanes.Broadcast(0x80000000);
        for (int t = 9; t < 15; t++) w[t] = TLanes.Broadcast(0);
        w[15] = TLanes.Broadcast(256);

        TVector h0 = TLanes.Load(ref s);
        TVector h1 = TLanes.Load(ref Unsafe.Add(ref s, lanes));
        TVector h2 = TLanes.Load(ref Unsafe.Add(ref s, 2 * lanes));
        TVector h3 = TLanes.Load(ref Unsafe.Add(ref s, 3 * lanes));
        TVector h4 = TLanes.Load(ref Unsafe.Add(ref s, 4 * lanes));
        TVector h5 = TLanes.Load(ref Unsafe.Add(ref s, 5 * lanes));
        TVector h6 = TLanes.Load(ref Unsafe.Add(ref s, 6 * lanes));
        TVector h7 = TLanes.Load(ref Unsafe.Add(ref s, 7 * lanes));

        for (ulong link = 0; link < n; link++)
        {
            // The previous digest is this link's message W0..W7.
            w[0] = h0;
            w[1] = h1;
            w[2] = h2;
            w[3] = h3;
            w[4] = h4;
            w[5] = h5;
            w[6] = h6;
            w[7] = h7;
            for (int t = 16; t < 64; t++)
            {
                w[t] = TLanes.Add(TLanes.Add(TLanes.SmallSigma1(w[t - 2]), w[t - 7]), TLanes.Add(TLanes.SmallSigma0(w[t - 15]), w[t - 16]));
            }

            TVector a = TLanes.Broadcast(iv);
            TVector b = TLanes.Broadcast(Unsafe.Add(ref iv, 1));
            TVector c = TLanes.Broadcast(Unsafe.Add(ref iv, 2));
            TVector d = TLanes.Broadcast(Unsafe.Add(ref iv, 3));
            TVector e = TLanes.Broadcast(Unsafe.Add(ref iv, 4));
            TVector f = TLanes.Broadcast(Unsafe.Add(ref iv, 5));
            TVector g = TLanes.Broadcast(Unsafe.Add(ref iv, 6));
            TVector h = TLanes.Broadcast(Unsafe.Add(ref iv, 7));
            TVector t1;
            for (int t = 0; t < 64; t += 8)
            {
                t1 = TLanes.Add(TLanes.Add(h, TLanes.BigSigma1(e)), TLanes.Add(TLanes.Choose(e, f, g), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t)), w[t])));
                d = TLanes.Add(d, t1);
                h = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(a), TLanes.Majority(a, b, c)));
                t1 = TLanes.Add(TLanes.Add(g, TLanes.BigSigma1(d)), TLanes.Add(TLanes.Choose(d, e, f), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 1)), w[t + 1])));
                c = TLanes.Add(c, t1);
                g = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(h), TLanes.Majority(h, a, b)));
                t1 = TLanes.Add(TLanes.Add(f, TLanes.BigSigma1(c)), TLanes.Add(TLanes.Choose(c, d, e), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 2)), w[t + 2])));
                b = TLanes.Add(b, t1);
                f = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(g), TLanes.Majority(g, h, a)));
                t1 = TLanes.Add(TLanes.Add(e, TLanes.BigSigma1(b)), TLanes.Add(TLanes.Choose(b, c, d), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 3)), w[t + 3])));
                a = TLanes.Add(a, t1);
                e = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(f), TLanes.Majority(f, g, h)));
                t1 = TLanes.Add(TLanes.Add(d, TLanes.BigSigma1(a)), TLanes.Add(TLanes.Choose(a, b, c), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 4)), w[t + 4])));
                h = TLanes.Add(h, t1);
                d = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(e), TLanes.Majority(e, f, g)));
                t1 = TLanes.Add(TLanes.Add(c, TLanes.BigSigma1(h)), TLanes.Add(TLanes.Choose(h, a, b), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 5)), w[t + 5])));
                g = TLanes.Add(g, t1);
                c = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(d), TLanes.Majority(d, e, f)));
                t1 = TLanes.Add(TLanes.Add(b, TLanes.BigSigma1(g)), TLanes.Add(TLanes.Choose(g, h, a), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 6)), w[t + 6])));
                f = TLanes.Add(f, t1);
                b = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(c), TLanes.Majority(c, d, e)));
                t1 = TLanes.Add(TLanes.Add(a, TLanes.BigSigma1(f)), TLanes.Add(TLanes.Choose(f, g, h), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 7)), w[t + 7])));
                e = TLanes.Add(e, t1);
                a = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(b), TLanes.Majority(b, c, d)));
            }

            h0 = TLanes.Add(a, TLanes.Broadcast(iv));
            h1 = TLanes.Add(b, TLanes.Broadcast(Unsafe.Add(ref iv, 1)));
            h2 = TLanes.Add(c, TLanes.Broadcast(Unsafe.Add(ref iv, 2)));
            h3 = TLanes.Add(d, TLanes.Broadcast(Unsafe.Add(ref iv, 3)));
            h4 = TLanes.Add(e, TLanes.Broadcast(Unsafe.Add(ref iv, 4)));
            h5 = TLanes.Add(f, TLanes.Broadcast(Unsafe.Add(ref iv, 5)));
            h6 = TLanes.Add(g, TLanes.Broadcast(Unsafe.Add(ref iv, 6)));
            h7 = TLanes.Add(h, TLanes.Broadcast(Unsafe.Add(ref iv, 7)));
        }

        TLanes.Store(h0, ref s);
        TLanes.Store(h1, ref Unsafe.Add(ref s, lanes));
        TLanes.Store(h2, ref Unsafe.Add(ref s, 2 * lanes));
        TLanes.Store(h3, ref Unsafe.Add(ref s, 3 * lanes));
        TLanes.Store(h4, ref Unsafe.Add(ref s, 4 * lanes));
        TLanes.Store(h5, ref Unsafe.Add(ref s, 5 * lanes));
        TLanes.Store(h6, ref Unsafe.Add(ref s, 6 * lanes));
        TLanes.Store(h7, ref Unsafe.Add(ref s, 7 * lanes));
    }

    /// <summary>Sets every lane's state to the SHA-256 initial hash value (transposed, as <see cref="Compress{TLanes, TVector}"/> takes it).</summary>
    internal static void LoadInitialState(Span<uint> state, int lanes)
    {
        for (int j = 0; j < 8; j++) state.Slice(j * lanes, lanes).Fill(Iv[j]);
    }

    /// <summary>
    /// One compression per lane: <paramref name="state"/> (transposed, word j of lane l at
    /// <c>state[j * lanes + l]</c>) absorbs the 64-byte block whose big-endian words are in
    /// <paramref name="block"/> (transposed the same way: word j of lane l at <c>block[j * lanes + l]</c>).
    /// </summary>
    [SkipLocalsInit]
    internal static void Compress<TLanes, TVector>(Span<uint> state, ReadOnlySpan<uint> block)
        where TLanes : struct, ILanes<TVector>
        where TVector : unmanaged
    {
        int lanes = TLanes.Count;
        byte* raw = stackalloc byte[64 * sizeof(TVector) + 64];
        var w = (TVector*)(((nuint)raw + 63) & ~(nuint)63);
        ref uint k = ref MemoryMarshal.GetReference(K);
        ref uint s = ref MemoryMarshal.GetReference(state);
        ref uint m = ref MemoryMarshal.GetReference(block);
        for (int t = 0; t < 16; t++) w[t] = TLanes.Load(ref Unsafe.Add(ref m, t * lanes));
        for (int t = 16; t < 64; t++)
        {
            w[t] = TLanes.Add(TLanes.Add(TLanes.SmallSigma1(w[t - 2]), w[t - 7]), TLanes.Add(TLanes.SmallSigma0(w[t - 15]), w[t - 16]));
        }
        TVector h0 = TLanes.Load(ref s);
        TVector h1 = TLanes.Load(ref Unsafe.Add(ref s, lanes));
        TVector h2 = TLanes.Load(ref Unsafe.Add(ref s, 2 * lanes));
        TVector h3 = TLanes.Load(ref Unsafe.Add(ref s, 3 * lanes));
        TVector h4 = TLanes.Load(ref Unsafe.Add(ref s, 4 * lanes));
        TVector h5 = TLanes.Load(ref Unsafe.Add(ref s, 5 * lanes));
        TVector h6 = TLanes.Load(ref Unsafe.Add(ref s, 6 * lanes));
        TVector h7 = TLanes.Load(ref Unsafe.Add(ref s, 7 * lanes));
        TVector a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
        TVector t1;
        for (int t = 0; t < 64; t += 8)
        {
            t1 = TLanes.Add(TLanes.Add(h, TLanes.BigSigma1(e)), TLanes.Add(TLanes.Choose(e, f, g), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t)), w[t])));
            d = TLanes.Add(d, t1);
            h = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(a), TLanes.Majority(a, b, c)));
            t1 = TLanes.Add(TLanes.Add(g, TLanes.BigSigma1(d)), TLanes.Add(TLanes.Choose(d, e, f), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 1)), w[t + 1])));
            c = TLanes.Add(c, t1);
            g = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(h), TLanes.Majority(h, a, b)));
            t1 = TLanes.Add(TLanes.Add(f, TLanes.BigSigma1(c)), TLanes.Add(TLanes.Choose(c, d, e), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 2)), w[t + 2])));
            b = TLanes.Add(b, t1);
            f = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(g), TLanes.Majority(g, h, a)));
            t1 = TLanes.Add(TLanes.Add(e, TLanes.BigSigma1(b)), TLanes.Add(TLanes.Choose(b, c, d), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 3)), w[t + 3])));
            a = TLanes.Add(a, t1);
            e = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(f), TLanes.Majority(f, g, h)));
            t1 = TLanes.Add(TLanes.Add(d, TLanes.BigSigma1(a)), TLanes.Add(TLanes.Choose(a, b, c), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 4)), w[t + 4])));
            h = TLanes.Add(h, t1);
            d = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(e), TLanes.Majority(e, f, g)));
            t1 = TLanes.Add(TLanes.Add(c, TLanes.BigSigma1(h)), TLanes.Add(TLanes.Choose(h, a, b), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 5)), w[t + 5])));
            g = TLanes.Add(g, t1);
            c = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(d), TLanes.Majority(d, e, f)));
            t1 = TLanes.Add(TLanes.Add(b, TLanes.BigSigma1(g)), TLanes.Add(TLanes.Choose(g, h, a), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 6)), w[t + 6])));
            f = TLanes.Add(f, t1);
            b = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(c), TLanes.Majority(c, d, e)));
            t1 = TLanes.Add(TLanes.Add(a, TLanes.BigSigma1(f)), TLanes.Add(TLanes.Choose(f, g, h), TLanes.Add(TLanes.Broadcast(Unsafe.Add(ref k, t + 7)), w[t + 7])));
            e = TLanes.Add(e, t1);
            a = TLanes.Add(t1, TLanes.Add(TLanes.BigSigma0(b), TLanes.Majority(b, c, d)));
        }
        TLanes.Store(TLanes.Add(h0, a), ref s);
        TLanes.Store(TLanes.Add(h1, b), ref Unsafe.Add(ref s, lanes));
        TLanes.Store(TLanes.Add(h2, c), ref Unsafe.Add(ref s, 2 * lanes));
        TLanes.Store(TLanes.Add(h3, d), ref Unsafe.Add(ref s, 3 * lanes));
        TLanes.Store(TLanes.Add(h4, e), ref Unsafe.Add(ref s, 4 * lanes));
        TLanes.Store(TLanes.Add(h5, f), ref Unsafe.Add(ref s, 5 * lanes));
        TLanes.Store(TLanes.Add(h6, g), ref Unsafe.Add(ref s, 6 * lanes));
        TLanes.Store(TLanes.Add(h7, h), ref Unsafe.Add(ref s, 7 * lanes));
    }
}
