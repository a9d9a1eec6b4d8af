using System.Security.Cryptography;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// BIP-340 signing in batches, about 4x the rate of <see cref="Keypair.Sign(ReadOnlySpan{byte}, Span{byte})"/>
/// on one core, for keys whose secrecy does not matter: the load generator's throwaway accounts.
/// Each signature is byte for byte the one libsecp256k1 makes with the same auxiliary randomness
/// (the tests compare them), but the nonce point k·G comes from a 510 KiB table of d·2^(8w)·G with
/// one addition per nonzero byte of the secret nonce, so the time taken and the cache lines read
/// depend on it. Never sign with a key that guards value here: a process sharing the machine could
/// learn nonce bits and, from enough signatures, the key. Native code:
/// crypto/native/secp256k1/fast_schnorrsig_sign_vartime.c. Thread-safe (the table is immutable).
/// </summary>
public static unsafe class VariableTimeBatchSigner
{
    /// <summary>Most signatures one <see cref="Sign"/> call makes.</summary>
    public const int MaxBatch = 64;

    // Built on first use (a few milliseconds) and kept for the process's lifetime.
    private static readonly nint Table = CreateTable();

    private static nint CreateTable()
    {
        nint table = Secp256k1Native.FixedBaseTableCreate();
        if (table == 0) throw new OutOfMemoryException("fast_fixed_base_table_create: out of memory");
        return table;
    }

    /// <summary>
    /// Signs <c>signers.Length</c> (at most <see cref="MaxBatch"/>) messages held in one buffer:
    /// message i is <c>messageLengths[i]</c> bytes at <c>messageOffsets[i]</c>, and its 64-byte
    /// signature is written at <c>signatureOffsets[i]</c> (after every message has been read, so a
    /// signature may sit inside or next to the messages, as in a transaction). Fresh auxiliary
    /// randomness per signature, or none for a <see cref="Keypair.DeterministicSignatures"/> key;
    /// or, when <paramref name="auxRand"/> is not empty, its 32 bytes per signature (test vectors).
    /// </summary>
    public static void Sign(ReadOnlySpan<Keypair> signers, Span<byte> buffer, ReadOnlySpan<int> messageOffsets, ReadOnlySpan<int> messageLengths, ReadOnlySpan<int> signatureOffsets, ReadOnlySpan<byte> auxRand = default)
    {
        int n = signers.Length;
        if (n > MaxBatch) throw new ArgumentException($"at most {MaxBatch} signatures per call", nameof(signers));
        if (messageOffsets.Length != n || messageLengths.Length != n || signatureOffsets.Length != n)
            throw new ArgumentException("one message offset, message length and signature offset per signer");
        if (!auxRand.IsEmpty && auxRand.Length != n * Schnorr.AuxRandSize)
            throw new ArgumentException($"{Schnorr.AuxRandSize} bytes of auxiliary randomness per signature", nameof(auxRand));
        if (n == 0) return;
        for (int i = 0; i < n; i++)
        {
            ArgumentNullException.ThrowIfNull(signers[i], nameof(signers));
            if ((uint)messageOffsets[i] > (uint)buffer.Length || (uint)messageLengths[i] > (uint)(buffer.Length - messageOffsets[i]))
                throw new ArgumentOutOfRangeException(nameof(messageOffsets), $"message {i} lies outside the buffer");
            if ((uint)signatureOffsets[i] > (uint)(buffer.Length - Schnorr.SignatureSize) || buffer.Length < Schnorr.SignatureSize)
                throw new ArgumentOutOfRangeException(nameof(signatureOffsets), $"signature {i} lies outside the buffer");
        }

        byte* aux = stackalloc byte[MaxBatch * Schnorr.AuxRandSize];
        if (auxRand.IsEmpty) RandomNumberGenerator.Fill(new Span<byte>(aux, n * Schnorr.AuxRandSize));
        else auxRand.CopyTo(new Span<byte>(aux, n * Schnorr.AuxRandSize));
        byte** sigs = stackalloc byte*[MaxBatch];
        byte** msgs = stackalloc byte*[MaxBatch];
        nuint* lengths = stackalloc nuint[MaxBatch];
        byte** keypairs = stackalloc byte*[MaxBatch];
        byte** auxPointers = stackalloc byte*[MaxBatch];
        int result;
        fixed (byte* b = buffer)
        {
            for (int i = 0; i < n; i++)
            {
                sigs[i] = b + signatureOffsets[i];
                msgs[i] = b + messageOffsets[i];
                lengths[i] = (nuint)messageLengths[i];
                keypairs[i] = signers[i].NativeKeypair;
                auxPointers[i] = signers[i].DeterministicSignatures && auxRand.IsEmpty ? null : aux + i * Schnorr.AuxRandSize;
            }
            result = Secp256k1Native.SchnorrSignBatchVarTime(Schnorr.Context, Table, sigs, msgs, lengths, keypairs, auxPointers, (nuint)n);
        }
        // Every Keypair holds a valid secp256k1_keypair, and a zero nonce has probability 2^-256.
        if (result != 1) ThrowHelper.ThrowNativeFailure("fast_schnorrsig_sign_batch_vartime");
    }
}
