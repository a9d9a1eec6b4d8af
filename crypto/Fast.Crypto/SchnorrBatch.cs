using System.Runtime.InteropServices;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// A batch of BIP-340 signatures being collected for one batch verification, and the bisection
/// that names exactly the invalid ones when the batch fails. <see cref="TryAdd"/> copies the key,
/// signature and message into this batch's own native memory (so callers' buffers may move or be
/// reused at once); <see cref="VerifyAll"/> checks the whole batch in one equation;
/// <see cref="VerifyEach"/> does the same and, when it fails, splits the failing ranges in halves
/// until each invalid signature is isolated and confirmed by single verification — a signature is
/// reported invalid only when <see cref="Schnorr.Verify"/> rejects it. Everything is sized at
/// construction: adding and verifying allocate nothing. With a key cache (<c>keyCacheEntries</c>),
/// each key is parsed once while it stays cached (<see cref="XOnlyKeyCache"/>) and both the batch
/// equation and the single checks use the parsed form. Not thread-safe: one per thread.
/// </summary>
public sealed unsafe class SchnorrBatch : IDisposable
{
    /// <summary>Ranges this small are verified one signature at a time: no batch gain below it, and a failed range needs singles anyway.</summary>
    public const int SingleVerifyBelow = 4;

    private readonly SchnorrBatchScratch _scratch;
    private readonly byte* _keys;
    private readonly byte* _signatures;
    private readonly byte* _messages;
    private readonly XOnlyKeyCache? _keyCache;
    private readonly byte* _parsedKeys;   // with a cache: 64 bytes per signature, the parsed key
    private readonly byte** _parsed;      // with a cache: each signature's parsed key, or null when its key does not parse
    private readonly int _messageCapacity;
    private int _messageBytes;
    private int _count;
    private bool _disposed;

    /// <param name="capacity">Most signatures in one batch.</param>
    /// <param name="messageBytes">Room for the batch's messages together (default: capacity × 1,280, a packet each).</param>
    /// <param name="keyCacheEntries">Entries of this batch's cache of parsed keys (a power of two, 16 or more; 0: none, every key parsed per signature).</param>
    public SchnorrBatch(int capacity, int messageBytes = 0, int keyCacheEntries = 0)
    {
        _scratch = new SchnorrBatchScratch(capacity);
        _messageCapacity = messageBytes > 0 ? messageBytes : checked(capacity * 1280);
        _keys = (byte*)NativeMemory.Alloc((nuint)capacity * Schnorr.PublicKeySize);
        _signatures = (byte*)NativeMemory.Alloc((nuint)capacity * Schnorr.SignatureSize);
        _messages = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, _messageCapacity));
        if (keyCacheEntries > 0)
        {
            _keyCache = new XOnlyKeyCache(keyCacheEntries);
            _parsedKeys = (byte*)NativeMemory.Alloc((nuint)capacity * Secp256k1Native.XOnlyPubkeySize);
            _parsed = (byte**)NativeMemory.Alloc((nuint)capacity * (nuint)sizeof(nint));
        }
    }

    /// <summary>This batch's cache of parsed keys (null without one): its hit and miss counts.</summary>
    public XOnlyKeyCache? KeyCache => _keyCache;

    public int Capacity => _scratch.Capacity;

    /// <summary>Signatures added since the last <see cref="Clear"/>.</summary>
    public int Count => _count;

    public bool IsFull => _count == _scratch.Capacity;

    /// <summary>Message bytes that still fit (each added signature copies its message).</summary>
    public int FreeMessageBytes => _messageCapacity - _messageBytes;

    /// <summary>
    /// Adds one (public key, message, signature); false when the batch is full or its message room
    /// is used up (verify and clear it, then add again). Key and signature lengths are checked like
    /// <see cref="Schnorr.Verify"/> does: a wrong length throws here, as the caller decoded them.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Schnorr.PublicKeySize) ThrowHelper.ThrowArgumentLength(nameof(publicKey), Schnorr.PublicKeySize);
        if (signature.Length != Schnorr.SignatureSize) ThrowHelper.ThrowArgumentLength(nameof(signature), Schnorr.SignatureSize);
        if (_count == _scratch.Capacity || message.Length > _messageCapacity - _messageBytes) return false;

        int i = _count++;
        byte* key = _keys + i * Schnorr.PublicKeySize;
        byte* sig = _signatures + i * Schnorr.SignatureSize;
        byte* msg = _messages + _messageBytes;
        publicKey.CopyTo(new Span<byte>(key, Schnorr.PublicKeySize));
        signature.CopyTo(new Span<byte>(sig, Schnorr.SignatureSize));
        message.CopyTo(new Span<byte>(msg, message.Length));
        _messageBytes += message.Length;

        _scratch.PublicKeys[i] = key;
        _scratch.Signatures[i] = sig;
        _scratch.Messages[i] = msg;
        _scratch.MessageLengths[i] = (nuint)message.Length;
        if (_keyCache is not null)
        {
            byte* parsed = _parsedKeys + i * Secp256k1Native.XOnlyPubkeySize;
            _parsed[i] = _keyCache.TryParse(key, parsed) ? parsed : null;
        }
        return true;
    }

    /// <summary>Empties the batch (its memory is kept).</summary>
    public void Clear()
    {
        _count = 0;
        _messageBytes = 0;
    }

    /// <summary>True when every signature in the batch is valid (one batch equation; empty: true).</summary>
    public bool VerifyAll() => _count < SingleVerifyBelow ? VerifySingly(0, _count) : VerifyRange(0, _count);

    /// <summary>
    /// Sets <paramref name="valid"/>[i] for each signature in the batch and returns how many are
    /// invalid. One batch equation when all are valid; otherwise bisection, with each invalid
    /// signature confirmed by single verification.
    /// </summary>
    public int VerifyEach(Span<bool> valid)
    {
        if (valid.Length < _count) ThrowHelper.ThrowArgumentOutOfRange(nameof(valid), "shorter than the batch");
        return Bisect(0, _count, knownToFail: false, valid);
    }

    /// <summary>
    /// Sets <paramref name="valid"/>[i] by single verification of each signature (no batch
    /// equation) and returns how many are invalid: for when most batches would fail anyway.
    /// </summary>
    public int VerifyEachSingly(Span<bool> valid)
    {
        if (valid.Length < _count) ThrowHelper.ThrowArgumentOutOfRange(nameof(valid), "shorter than the batch");
        int invalid = 0;
        for (int i = 0; i < _count; i++)
        {
            valid[i] = VerifyOne(i);
            if (!valid[i]) invalid++;
        }
        return invalid;
    }

    /// <summary>
    /// Checks [start, end). When the range is known to fail (its parent failed and its sibling
    /// passed), the batch equation over it is skipped and it is split at once.
    /// </summary>
    private int Bisect(int start, int end, bool knownToFail, Span<bool> valid)
    {
        int n = end - start;
        if (n <= 0) return 0;
        if (n < SingleVerifyBelow)
        {
            int invalid = 0;
            for (int i = start; i < end; i++)
            {
                valid[i] = VerifyOne(i);
                if (!valid[i]) invalid++;
            }
            return invalid;
        }
        if (!knownToFail && VerifyRange(start, end))
        {
            valid[start..end].Fill(true);
            return 0;
        }
        int middle = start + n / 2;
        int left = Bisect(start, middle, knownToFail: false, valid);
        // The whole range failed: if the left half is clean, the fault is in the right half. Its own
        // leaves are still confirmed singly, so a valid signature is never reported invalid.
        int right = Bisect(middle, end, knownToFail: left == 0, valid);
        return left + right;
    }

    private bool VerifyRange(int start, int end) =>
        Schnorr.VerifyBatchNative(_scratch.Native, _scratch.Signatures + start, _scratch.Messages + start,
                            _scratch.MessageLengths + start, _scratch.PublicKeys + start, _parsed == null ? null : _parsed + start, end - start);

    private bool VerifySingly(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (!VerifyOne(i)) return false;
        }
        return true;
    }

    private bool VerifyOne(int i)
    {
        if (_parsed == null) return Schnorr.VerifyNative(_scratch.PublicKeys[i], _scratch.Messages[i], _scratch.MessageLengths[i], _scratch.Signatures[i]);
        // A key that did not parse makes its signature invalid, as Schnorr.Verify says.
        return _parsed[i] != null && Schnorr.VerifyParsedNative(_parsed[i], _scratch.Messages[i], _scratch.MessageLengths[i], _scratch.Signatures[i]);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _scratch.Dispose();
        NativeMemory.Free(_keys);
        NativeMemory.Free(_signatures);
        NativeMemory.Free(_messages);
        if (_keyCache is not null)
        {
            _keyCache.Dispose();
            NativeMemory.Free(_parsedKeys);
            NativeMemory.Free(_parsed);
        }
        GC.SuppressFinalize(this);
    }
}
