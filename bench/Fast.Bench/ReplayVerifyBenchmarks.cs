using BenchmarkDotNet.Attributes;
using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Exec.Scheduling;
using Fast.Exec.Validity;

namespace Fast.Bench;

/// <summary>
/// Replay's block-signature check on a block of 1,024 signed transfers (entries of 64): every
/// signature singly on one thread (the old replay loop, the baseline) against BIP-340 batches of
/// <see cref="BlockSignatures.DefaultBatchSize"/> over a 2-worker scheduler
/// (<see cref="BlockSignatures.FirstInvalid"/>). Budget: 0 bytes per operation (batch objects and
/// offset tables are made once).
/// </summary>
[MemoryDiagnoser]
public class ReplayVerifyBenchmarks
{
    private const int Transactions = 1024;
    private const int PerEntry = 64;
    private byte[] _block = [];
    private SealevelScheduler? _workers;
    private BlockSignatures? _check;

    [GlobalSetup]
    public void Setup()
    {
        Keypair[] payers = [.. Enumerable.Range(0, 16).Select(_ => Keypair.Generate())];
        var blockhash = Hash.Compute("replay-verify"u8);
        byte[] body = new byte[PerEntry * SystemTransaction.TransferLength];
        _block = new byte[Transactions / PerEntry * EntryWriter.EncodedLength(PerEntry, body.Length)];
        SpanWriter writer = new(_block);
        for (int start = 0; start < Transactions; start += PerEntry)
        {
            for (int i = 0; i < PerEntry; i++)
            {
                byte[] to = new byte[32];
                BitConverter.TryWriteBytes(to, start + i + 1);
                SystemTransaction.WriteTransfer(body.AsSpan(i * SystemTransaction.TransferLength), payers[i % payers.Length], new Pubkey(to), 1, blockhash);
            }
            EntryWriter.Write(ref writer, 1, Hash.Compute(body), PerEntry, body);
        }
        _workers = new SealevelScheduler(new SchedulerOptions { Workers = 2 });
        _check = new BlockSignatures(BlockSignatures.DefaultBatchSize, threads: 2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _check?.Dispose();
        _workers?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SingleVerifyBlock1024() => BlockSignatures.FirstInvalidSingly(_block);

    [Benchmark]
    public int BatchedOverWorkersBlock1024() => _check!.FirstInvalid(_block, _workers);
}
