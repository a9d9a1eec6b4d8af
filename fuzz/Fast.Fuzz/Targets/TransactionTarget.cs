using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Fuzz.Targets;

/// <summary>TransactionView.TryParse, re-encoded field by field with <see cref="TransactionWriter"/>.</summary>
public readonly struct TransactionTarget : IFuzzTarget
{
    public string Name => "transaction";

    public int MaxInputLength => TransactionLimits.MaxTransactionSize + 64;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        DecodeResult result = TransactionView.TryParse(input, out TransactionView view);
        if (!result.IsOk) return result.Status;
        SpanWriter writer = new(scratch);
        TransactionWriter.Write(ref writer, view);
        // Touch what later stages read, so an accessor that trips on an accepted input is a crash here.
        for (int i = 0; i < view.AccountKeyCount; i++) _ = view.IsWritable(i);
        canonical = !writer.Overflowed && writer.Written.SequenceEqual(input) && view.Length == input.Length;
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        Random random = new(3);
        List<FuzzSeed> seeds = [];
        foreach (byte[] tx in SampleTransactions(random)) seeds.Add(new FuzzSeed(tx, LengthFields(tx, 0)));
        return seeds;
    }

    /// <summary>A transfer, a 3-signer multi-instruction transaction, one with no instructions, one near 1,232 bytes, one with 29 keys.</summary>
    internal static List<byte[]> SampleTransactions(Random random)
    {
        Pubkey Key() => new(Bytes(random, 32));
        var payer = Keypair.Generate();
        var second = Keypair.Generate();
        var third = Keypair.Generate();
        Pubkey payerKey = new(payer.PublicKey);
        Hash blockhash = new(Bytes(random, 32));
        List<byte[]> txs = [];

        Pubkey system = Pubkey.Zero;
        byte[] transferData = new byte[12];
        transferData[0] = 2;
        txs.Add(new TransactionBuilder(payerKey, blockhash)
            .AddInstruction(system, [AccountMeta.Writable(payerKey, true), AccountMeta.Writable(Key())], transferData).Sign(payer));

        Pubkey program = Key();
        txs.Add(new TransactionBuilder(payerKey, blockhash)
            .AddInstruction(program, [AccountMeta.Writable(payerKey, true), AccountMeta.ReadOnly(new Pubkey(second.PublicKey), true), AccountMeta.Writable(Key())], Bytes(random, 40))
            .AddInstruction(Key(), [AccountMeta.ReadOnly(new Pubkey(third.PublicKey), true), AccountMeta.ReadOnly(Key())], [])
            .AddInstruction(program, [], Bytes(random, 200))
            .Sign(payer, second, third));

        txs.Add(new TransactionBuilder(payerKey, blockhash).Sign(payer));

        txs.Add(new TransactionBuilder(payerKey, blockhash).AddInstruction(program, [AccountMeta.Writable(Key())], Bytes(random, 1000)).Sign(payer));

        TransactionBuilder wide = new(payerKey, blockhash);
        for (int i = 0; i < 14; i++) wide.AddInstruction(Key(), [AccountMeta.Writable(Key()), AccountMeta.Writable(payerKey, true)], [(byte)i]);
        txs.Add(wide.Sign(payer));
        return txs;
    }

    /// <summary>Offsets of every count and length in a transaction starting at <paramref name="start"/> of its buffer.</summary>
    internal static int[] LengthFields(ReadOnlySpan<byte> tx, int start)
    {
        TransactionView.TryParsePrefix(tx, out TransactionView view);
        List<int> fields = [0];
        int message = view.Layout.MessageOffset;
        fields.AddRange([message, message + 1, message + 2, message + 3]);
        int at = view.Layout.InstructionsOffset;
        fields.Add(at - ShortVec.EncodedLength(view.InstructionCount));
        foreach (InstructionView ix in view.Instructions)
        {
            fields.Add(at);
            at++;
            fields.Add(at);
            at += ShortVec.EncodedLength(ix.AccountIndexes.Length) + ix.AccountIndexes.Length;
            fields.Add(at);
            at += ShortVec.EncodedLength(ix.Data.Length) + ix.Data.Length;
        }
        return [.. fields.Select(f => f + start)];
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
