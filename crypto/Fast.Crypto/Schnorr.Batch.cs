using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// BIP-340 batch verification: n signatures checked in one equation, one multi-scalar
/// multiplication of 2n + 1 points with random weights (the first 1, the others 128-bit, from SHA-256 in
/// counter mode seeded by a hash of the whole batch: deterministic, unpredictable to a signer).
/// True only when every signature is valid (each one would pass <see cref="Verify"/>); false
/// says some signature is invalid, not which — <see cref="SchnorrBatch"/> bisects to find them.
/// </summary>
public static unsafe partial class Schnorr
{
    /// <summary>
    /// Verifies n signatures at once. <paramref name="publicKeys"/> is n 32-byte x-only keys back to
    /// back, <paramref name="signatures"/> n 64-byte signatures, <paramref name="messages"/> the n
    /// messages back to back with their lengths in <paramref name="messageLengths"/>. Allocates
    /// nothing; <paramref name="scratch"/> (capacity ≥ n) is this thread's. Mismatched span lengths
    /// are a caller's bug and throw; invalid keys or signatures just make the result false.
    /// </summary>
    public static bool VerifyBatch(SchnorrBatchScratch scratch, ReadOnlySpan<byte> publicKeys, ReadOnlySpan<byte> messages,
                                   ReadOnlySpan<int> messageLengths, ReadOnlySpan<byte> signatures)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        int n = messageLengths.Length;
        if (n > scratch.Capacity) ThrowHelper.ThrowArgumentOutOfRange(nameof(messageLengths), "more signatures than the scratch's capacity");
        if (publicKeys.Length != n * PublicKeySize) ThrowHelper.ThrowArgumentLength(nameof(publicKeys), n * PublicKeySize);
        if (signatures.Length != n * SignatureSize) ThrowHelper.ThrowArgumentLength(nameof(signatures), n * SignatureSize);
        if (n == 0) return true;

        byte** sigs = scratch.Signatures;
        byte** msgs = scratch.Messages;
        byte** keys = scratch.PublicKeys;
        nuint* lengths = scratch.MessageLengths;
        fixed (byte* pk = publicKeys, sig = signatures, msg = messages)
        {
            int offset = 0;
            for (int i = 0; i < n; i++)
            {
                int length = messageLengths[i];
                if (length < 0 || length > messages.Length - offset) ThrowHelper.ThrowArgumentOutOfRange(nameof(messageLengths), "the lengths overrun the messages");
                keys[i] = pk + i * PublicKeySize;
                sigs[i] = sig + i * SignatureSize;
                msgs[i] = msg + offset;
                lengths[i] = (nuint)length;
                offset += length;
            }
            if (offset != messages.Length) ThrowHelper.ThrowArgumentLength(nameof(messages), offset);
            return VerifyBatchNative(scratch.Native, sigs, msgs, lengths, keys, null, n);
        }
    }

    /// <summary>
    /// The native call over pointer arrays that stay valid for the call (pinned or native memory);
    /// <paramref name="parsed"/> (may be null, as may its entries) gives keys already parsed.
    /// </summary>
    internal static bool VerifyBatchNative(nint scratch, byte** sigs, byte** msgs, nuint* lengths, byte** keys, byte** parsed, int n)
    {
        int result = parsed == null
            ? Secp256k1Native.SchnorrVerifyBatch(Context, scratch, sigs, msgs, lengths, keys, (nuint)n)
            : Secp256k1Native.SchnorrVerifyBatchParsed(Context, scratch, sigs, msgs, lengths, keys, parsed, (nuint)n);
        if (result < 0) ThrowHelper.ThrowNativeFailure("fast_schnorrsig_verify_batch");
        return result == 1;
    }

    /// <summary>Single verification of 32 + 64 bytes at stable native addresses (the bisection's leaves).</summary>
    internal static bool VerifyNative(byte* publicKey32, byte* message, nuint length, byte* signature64)
    {
        byte* parsed = stackalloc byte[Secp256k1Native.XOnlyPubkeySize];
        if (Secp256k1Native.XOnlyPubkeyParse(Context, parsed, publicKey32) != 1) return false;
        return Secp256k1Native.SchnorrVerify(Context, signature64, message, length, parsed) == 1;
    }

    /// <summary>Single verification with a key already parsed (a <see cref="XOnlyKeyCache"/>'s answer).</summary>
    internal static bool VerifyParsedNative(byte* parsedKey64, byte* message, nuint length, byte* signature64) =>
        Secp256k1Native.SchnorrVerify(Context, signature64, message, length, parsedKey64) == 1;
}
