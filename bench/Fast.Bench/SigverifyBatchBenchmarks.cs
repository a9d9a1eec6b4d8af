using BenchmarkDotNet.Attributes;
using Fast.Crypto;

namespace Fast.Bench;

/// <summary>
/// BIP-340 batch verification of 256 signatures (the sigverify stage's default batch): the batch
/// equation over all-valid signatures, and the bisection of a batch holding one invalid signature,
/// against the baseline of 256 single verifications. Budget: 0 bytes allocated per operation
/// (the batch and its scratch are made once).
/// </summary>
[MemoryDiagnoser]
public class SigverifyBatchBenchmarks
{
    private const int Size = 256;
    private byte[][] _keys = [], _messages = [], _signatures = [];
    private SchnorrBatch? _valid, _oneInvalid;
    private readonly bool[] _results = new bool[Size];

    [GlobalSetup]
    public void Setup()
    {
        Random random = new(11);
        _keys = new byte[Size][];
        _messages = new byte[Size][];
        _signatures = new byte[Size][];
        _valid = new SchnorrBatch(Size);
        _oneInvalid = new SchnorrBatch(Size);
        for (int i = 0; i < Size; i++)
        {
            var signer = Keypair.Generate();
            _keys[i] = signer.PublicKey.ToArray();
            _messages[i] = new byte[150];
            random.NextBytes(_messages[i]);
            _signatures[i] = new byte[64];
            signer.Sign(_messages[i], _signatures[i]);
            _valid.TryAdd(_keys[i], _messages[i], _signatures[i]);
            byte[] signature = (byte[])_signatures[i].Clone();
            if (i == 100) signature[40] ^= 1;
            _oneInvalid.TryAdd(_keys[i], _messages[i], signature);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _valid?.Dispose();
        _oneInvalid?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SingleVerify256()
    {
        int valid = 0;
        for (int i = 0; i < Size; i++)
        {
            if (Schnorr.Verify(_keys[i], _messages[i], _signatures[i])) valid++;
        }
        return valid;
    }

    [Benchmark]
    public bool BatchVerify256() => _valid!.VerifyAll();

    [Benchmark]
    public int BatchBisect256OneInvalid() => _oneInvalid!.VerifyEach(_results);
}
