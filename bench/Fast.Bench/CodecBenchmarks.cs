using BenchmarkDotNet.Attributes;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Core.Transactions;
using Fast.Crypto;

namespace Fast.Bench;

/// <summary>
/// The wire codec on the per-packet hot path: decode+validate a signed 1-signature transfer
/// (TransactionView.TryParse) and a full data shred (ShredView.TryParse), and encode the same,
/// against the libsecp256k1 Schnorr verify of that transfer (the baseline: decoding should cost a
/// rounding error of sigverify). Budget: 0 bytes allocated per operation.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private byte[] _transfer = [];
    private byte[] _shred = [];
    private byte[] _shredData = [];
    private readonly byte[] _output = new byte[ShredLayout.MaxShredSize];

    [GlobalSetup]
    public void Setup()
    {
        var payer = Keypair.Generate();
        Random random = new(7);
        byte[] recipient = new byte[Pubkey.Size];
        random.NextBytes(recipient);
        byte[] data = new byte[12];
        data[0] = 2;
        _transfer = new TransactionBuilder(new Pubkey(payer.PublicKey), Hash.Compute([1]))
            .AddInstruction(Pubkey.Zero, [AccountMeta.Writable(new Pubkey(payer.PublicKey), signer: true), AccountMeta.Writable(new Pubkey(recipient))], data)
            .Sign(payer);

        _shredData = new byte[ShredLayout.DataCapacity(ShredLayout.DefaultProofDepth)];
        random.NextBytes(_shredData);
        _shred = new byte[ShredLayout.DataShredSize];
        ShredWriter.WriteData(_shred, new ShredCommonHeader(1000, 5, 7, 0), ShredLayout.DefaultProofDepth, 1, ShredFlags.None, _shredData);
    }

    [Benchmark(Baseline = true)]
    public bool SchnorrVerifyTransfer()
    {
        TransactionView.TryParse(_transfer, out TransactionView view);
        return Schnorr.Verify(view.GetAccountKeyBytes(0), view.Message, view.GetSignatureBytes(0));
    }

    [Benchmark]
    public int TransactionDecode()
    {
        TransactionView.TryParse(_transfer, out TransactionView view);
        return view.Length;
    }

    [Benchmark]
    public int TransactionEncode()
    {
        TransactionView.TryParse(_transfer, out TransactionView view);
        SpanWriter writer = new(_output);
        TransactionWriter.Write(ref writer, view);
        return writer.Position;
    }

    [Benchmark]
    public int ShredDecode()
    {
        ShredView.TryParse(_shred, out ShredView view);
        return view.DataSize;
    }

    [Benchmark]
    public int ShredEncode() =>
        ShredWriter.WriteData(_output, new ShredCommonHeader(1000, 5, 7, 0), ShredLayout.DefaultProofDepth, 1, ShredFlags.None, _shredData);
}
