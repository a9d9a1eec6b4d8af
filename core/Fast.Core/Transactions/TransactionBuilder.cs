using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Transactions;

/// <summary>An account an instruction touches, and how.</summary>
public readonly record struct AccountMeta(Pubkey Key, bool IsSigner, bool IsWritable)
{
    public static AccountMeta Writable(Pubkey key, bool signer = false) => new(key, signer, true);
    public static AccountMeta ReadOnly(Pubkey key, bool signer = false) => new(key, signer, false);
}

/// <summary>
/// Builds and signs transactions for clients, tests and load generators (cold path: allocates).
/// Orders account keys as the format requires — fee payer, writable signers, read-only signers,
/// writable non-signers, read-only non-signers (programs are read-only non-signers) — merging
/// repeated keys with the union of their flags.
/// </summary>
public sealed class TransactionBuilder
{
    private readonly List<(Pubkey Program, AccountMeta[] Accounts, byte[] Data)> _instructions = [];

    public TransactionBuilder(Pubkey feePayer, Hash recentBlockhash)
    {
        FeePayer = feePayer;
        RecentBlockhash = recentBlockhash;
    }

    public Pubkey FeePayer { get; }
    public Hash RecentBlockhash { get; }

    public TransactionBuilder AddInstruction(Pubkey programId, ReadOnlySpan<AccountMeta> accounts, ReadOnlySpan<byte> data)
    {
        _instructions.Add((programId, accounts.ToArray(), data.ToArray()));
        return this;
    }

    /// <summary>The ordered key list and header counts the instructions need.</summary>
    public (List<Pubkey> Keys, byte Required, byte ReadonlySigned, byte ReadonlyUnsigned) CompileKeys()
    {
        Dictionary<Pubkey, (bool Signer, bool Writable)> flags = new() { [FeePayer] = (true, true) };
        List<Pubkey> firstSeen = [FeePayer];
        void Note(Pubkey key, bool signer, bool writable)
        {
            if (flags.TryGetValue(key, out (bool Signer, bool Writable) f))
            {
                flags[key] = (f.Signer | signer, f.Writable | writable);
            }
            else
            {
                flags[key] = (signer, writable);
                firstSeen.Add(key);
            }
        }
        foreach ((Pubkey program, AccountMeta[] accounts, _) in _instructions)
        {
            foreach (AccountMeta meta in accounts) Note(meta.Key, meta.IsSigner, meta.IsWritable);
            Note(program, false, false);
        }

        List<Pubkey> keys = [FeePayer];
        foreach ((bool signer, bool writable) in new[] { (true, true), (true, false), (false, true), (false, false) })
        {
            foreach (Pubkey key in firstSeen)
            {
                if (key == FeePayer) continue;
                (bool s, bool w) = flags[key];
                if (s == signer && w == writable) keys.Add(key);
            }
        }
        int required = 0, readonlySigned = 0, readonlyUnsigned = 0;
        foreach (Pubkey key in keys)
        {
            (bool s, bool w) = flags[key];
            if (s) required++;
            if (s && !w) readonlySigned++;
            if (!s && !w) readonlyUnsigned++;
        }
        return (keys, checked((byte)required), checked((byte)readonlySigned), checked((byte)readonlyUnsigned));
    }

    /// <summary>The message bytes (what signers sign).</summary>
    public byte[] BuildMessage()
    {
        (List<Pubkey> keys, byte required, byte readonlySigned, byte readonlyUnsigned) = CompileKeys();
        byte[] buffer = new byte[TransactionLimits.MaxTransactionSize];
        SpanWriter w = new(buffer);
        w.WriteU8(required);
        w.WriteU8(readonlySigned);
        w.WriteU8(readonlyUnsigned);
        w.WriteShortVec(keys.Count);
        foreach (Pubkey key in keys) w.WritePubkey(key);
        w.WriteHash(RecentBlockhash);
        w.WriteShortVec(_instructions.Count);
        foreach ((Pubkey program, AccountMeta[] accounts, byte[] data) in _instructions)
        {
            w.WriteU8((byte)keys.IndexOf(program));
            w.WriteShortVec(accounts.Length);
            foreach (AccountMeta meta in accounts) w.WriteU8((byte)keys.IndexOf(meta.Key));
            w.WriteShortVec(data.Length);
            w.WriteBytes(data);
        }
        if (w.Overflowed) throw new InvalidOperationException($"the message does not fit in {TransactionLimits.MaxTransactionSize} bytes");
        return w.Written.ToArray();
    }

    /// <summary>
    /// Signs with the given keypairs (each required signer exactly once, any order) and returns the
    /// wire bytes. Throws when a signer is missing or the transaction exceeds 1,232 bytes.
    /// </summary>
    public byte[] Sign(params Keypair[] signers)
    {
        (List<Pubkey> keys, byte required, _, _) = CompileKeys();
        byte[] message = BuildMessage();
        int length = ShortVec.EncodedLength(required) + required * Signature.Size + message.Length;
        if (length > TransactionLimits.MaxTransactionSize) throw new InvalidOperationException($"transaction is {length} bytes, over {TransactionLimits.MaxTransactionSize}");
        byte[] tx = new byte[length];
        SpanWriter w = new(tx);
        w.WriteShortVec(required);
        Span<byte> signatures = w.Advance(required * Signature.Size);
        w.WriteBytes(message);
        for (int i = 0; i < required; i++)
        {
            Keypair? signer = null;
            foreach (Keypair k in signers)
            {
                if (k.PublicKey.SequenceEqual(keys[i].Span)) signer = k;
            }
            if (signer is null) throw new InvalidOperationException($"no keypair given for signer {keys[i]}");
            signer.Sign(message, signatures.Slice(i * Signature.Size, Signature.Size));
        }
        return tx;
    }
}
