using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench codec`: decode+validate and encode of a 1-signature transfer and of a full data
/// shred, against the libsecp256k1 Schnorr verify of that same transaction in the same run (the
/// decoder should be a rounding error next to sigverify: ≥ 200× its rate), with bytes allocated per
/// operation (0: the codec is on the per-packet hot path).
/// </summary>
public static class CodecBench
{
    private const int DecodeBatch = 20_000;
    private const int ShredBatch = 5_000;
    private const int VerifyBatch = 100;

    /// <summary>Written by the loops so the JIT cannot drop their work.</summary>
    private static long _sink;

    public static BenchReport Run(double seconds)
    {
        var samples = CodecSamples.Create();
        byte[] tx = samples.Transfer;
        byte[] shred = samples.DataShred;
        byte[] shredData = samples.ShredPayload;
        byte[] output = new byte[ShredLayout.MaxShredSize];

        long DecodeTransaction()
        {
            long sum = 0;
            for (int i = 0; i < DecodeBatch; i++)
            {
                TransactionView.TryParse(tx, out TransactionView view);
                sum += view.Length;
            }
            _sink += sum;
            return DecodeBatch;
        }
        long EncodeTransaction()
        {
            TransactionView.TryParse(tx, out TransactionView view);
            long sum = 0;
            for (int i = 0; i < DecodeBatch; i++)
            {
                SpanWriter writer = new(output);
                TransactionWriter.Write(ref writer, view);
                sum += writer.Position;
            }
            _sink += sum;
            return DecodeBatch;
        }
        long DecodeShred()
        {
            long sum = 0;
            for (int i = 0; i < ShredBatch; i++)
            {
                ShredView.TryParse(shred, out ShredView view);
                sum += view.DataSize;
            }
            _sink += sum;
            return ShredBatch;
        }
        long EncodeShred()
        {
            ShredCommonHeader header = new(1000, 5, 7, 0);
            long sum = 0;
            for (int i = 0; i < ShredBatch; i++)
            {
                sum += ShredWriter.WriteData(output, header, ShredLayout.DefaultProofDepth, 1, ShredFlags.None, shredData);
            }
            _sink += sum;
            return ShredBatch;
        }
        long Verify()
        {
            TransactionView.TryParse(tx, out TransactionView view);
            long ok = 0;
            for (int i = 0; i < VerifyBatch; i++)
            {
                if (Schnorr.Verify(view.GetAccountKeyBytes(0), view.Message, view.GetSignatureBytes(0))) ok++;
            }
            _sink += ok;
            return VerifyBatch;
        }

        double[] rates = Throughput.Interleaved(seconds, Throughput.DefaultRounds, DecodeTransaction, EncodeTransaction, DecodeShred, EncodeShred, Verify);
        double txDecode = rates[0], txEncode = rates[1], shredDecode = rates[2], shredEncode = rates[3], verify = rates[4];

        double allocated = Math.Max(
            Math.Max(Throughput.AllocatedPerUnit(3, DecodeTransaction), Throughput.AllocatedPerUnit(3, EncodeTransaction)),
            Math.Max(Throughput.AllocatedPerUnit(3, DecodeShred), Throughput.AllocatedPerUnit(3, EncodeShred)));

        BenchReport report = new("codec");
        report.Result("tx_decode_per_s", txDecode)
              .Result("tx_encode_per_s", txEncode)
              .Result("shred_decode_per_s", shredDecode)
              .Result("shred_encode_per_s", shredEncode)
              .Reference("secp256k1_verify_per_s", verify)
              .Ratio("tx_decode_vs_verify", txDecode / verify)
              .Ratio("tx_encode_vs_verify", txEncode / verify);
        report.AllocatedBytesPerOp = allocated;
        report.Note($"transaction: 1-signature transfer, {tx.Length} bytes, decode = TransactionView.TryParse (every count, index and key checked)");
        report.Note($"shred: data shred, {shred.Length} bytes, {shredData.Length}-byte payload (full at depth {ShredLayout.DefaultProofDepth}); one core, single thread");
        GC.KeepAlive(_sink);
        return report;
    }
}

/// <summary>The inputs `fast bench codec` measures: a signed transfer and a sealed full data shred.</summary>
internal sealed class CodecSamples
{
    private CodecSamples(byte[] transfer, byte[] dataShred, byte[] shredPayload)
    {
        Transfer = transfer;
        DataShred = dataShred;
        ShredPayload = shredPayload;
    }

    public byte[] Transfer { get; }
    public byte[] DataShred { get; }
    public byte[] ShredPayload { get; }

    public static CodecSamples Create()
    {
        var payer = Keypair.Generate();
        Random random = new(42);
        byte[] recipient = new byte[Pubkey.Size];
        byte[] blockhash = new byte[Hash.Size];
        random.NextBytes(recipient);
        random.NextBytes(blockhash);
        byte[] data = new byte[12];
        data[0] = 2;
        BitConverter.TryWriteBytes(data.AsSpan(4), 5000UL);
        byte[] transfer = new TransactionBuilder(new Pubkey(payer.PublicKey), new Hash(blockhash))
            .AddInstruction(Pubkey.Zero, [AccountMeta.Writable(new Pubkey(payer.PublicKey), signer: true), AccountMeta.Writable(new Pubkey(recipient))], data)
            .Sign(payer);

        // A whole default FEC set (32 data + 32 coding), sealed by a leader, so the measured shred is a real one.
        int count = ShredLayout.DefaultDataShreds + ShredLayout.DefaultCodingShreds;
        int stride = ShredLayout.CodingShredSize;
        byte[] slab = new byte[count * stride];
        byte[] payload = new byte[ShredLayout.DataCapacity(ShredLayout.DefaultProofDepth)];
        random.NextBytes(payload);
        for (int i = 0; i < ShredLayout.DefaultDataShreds; i++)
        {
            ShredFlags flags = i == ShredLayout.DefaultDataShreds - 1 ? ShredFlags.LastInFecSet : ShredFlags.None;
            ShredWriter.WriteData(slab.AsSpan(i * stride), new ShredCommonHeader(1000, (uint)i, 7, 0), ShredLayout.DefaultProofDepth, 1, flags, payload);
        }
        for (int i = 0; i < ShredLayout.DefaultCodingShreds; i++)
        {
            ShredWriter.WriteCoding(slab.AsSpan((ShredLayout.DefaultDataShreds + i) * stride), new ShredCommonHeader(1000, (uint)i, 7, 0),
                ShredLayout.DefaultDataShreds, ShredLayout.DefaultCodingShreds, i, default);
        }
        FecSetMerkle.Seal(slab, stride, count, Keypair.Generate());
        byte[] shred = slab.AsSpan(0, ShredLayout.DataShredSize).ToArray();
        return new CodecSamples(transfer, shred, payload);
    }
}
