using BenchmarkDotNet.Attributes;
using Fast.Core.Collections;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Bench;

/// <summary>
/// Proof of history: the generator (batches of 1,024 hashes, a record mixed in every 2,048) and the
/// verifier on each hashing path, per hash, against the reference single-chain SHA-NI loop
/// (<see cref="Sha256Kernel.Chain"/>). The verifier's workload is one slot: 64 ticks of 12,500
/// hashes with an entry about every 1,000 hashes.
/// </summary>
[MemoryDiagnoser]
public class PohBenchmarks
{
    private const int ChainHashes = 1 << 16;
    private const ulong HashesPerBatch = 1024;
    private const ulong HashesPerRecord = 2048;

    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _transactions = new byte[512];
    private readonly BoundedQueue<PohRecord> _records = new(16);
    private PohGenerator _generator = null!;
    private CountingSink _sink;
    private Hash _start;
    private PohSegment[] _segments = [];
    private long _slotHashes;

    [GlobalSetup]
    public void Setup()
    {
        _generator = new PohGenerator(Hash.Zero, 0, 93_750, 64);
        _start = Hash.Compute("PohBenchmarks"u8);
        PohGenerator slot = new(_start, 0, 12_500, 64);
        SegmentSink segments = new();
        Random random = new(1);
        while (slot.TickHeight < 64)
        {
            _records.TryEnqueue(new PohRecord(slot.Slot, Hash.Compute(BitConverter.GetBytes(random.Next())), 1, _transactions, 0));
            slot.DrainRecords(_records, 1, ref segments);
            slot.HashBatch((ulong)random.Next(500, 1500), ref segments);
        }
        _segments = [.. segments.Segments];
        foreach (PohSegment segment in _segments) _slotHashes += (long)segment.NumHashes;
        if (_slotHashes != 64 * 12_500) throw new InvalidOperationException("the sample slot is not 64 x 12,500 hashes");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ChainHashes)]
    public void ReferenceChain() => Sha256Kernel.Chain(_hash, ChainHashes);

    [Benchmark(OperationsPerInvoke = ChainHashes)]
    public void GeneratorWithRecords()
    {
        ulong start = _generator.TotalHashes;
        ulong nextRecord = start + HashesPerRecord;
        while (_generator.TotalHashes - start < ChainHashes)
        {
            if (_generator.TotalHashes >= nextRecord)
            {
                _records.TryEnqueue(new PohRecord(_generator.Slot, _start, 4, _transactions, 1));
                nextRecord += HashesPerRecord;
            }
            _generator.DrainRecords(_records, 64, ref _sink);
            _generator.HashBatch(HashesPerBatch, ref _sink);
        }
    }

    [Benchmark(OperationsPerInvoke = 64 * 12_500)]
    public bool VerifySlotShaNiInterleaved() => PohVerifier.Verify(_start, _segments, PohHashPath.ShaNiInterleaved).IsValid;

    [Benchmark(OperationsPerInvoke = 64 * 12_500)]
    public bool VerifySlotAvx512Lanes16() => PohVerifier.Verify(_start, _segments, Supported(PohHashPath.Avx512Lanes16)).IsValid;

    [Benchmark(OperationsPerInvoke = 64 * 12_500)]
    public bool VerifySlotAvx2Lanes8() => PohVerifier.Verify(_start, _segments, Supported(PohHashPath.Avx2Lanes8)).IsValid;

    [Benchmark(OperationsPerInvoke = 64 * 12_500)]
    public bool VerifySlotAllCores() => PohVerifier.Verify(_start, _segments.AsMemory(), Environment.ProcessorCount).IsValid;

    private static PohHashPath Supported(PohHashPath path) => PohVerifier.IsSupported(path) ? path : PohHashPath.Default;

    private struct CountingSink : IPohSink
    {
        public long Entries;

        public void OnEntry(in PohEntry entry) => Entries++;

        public readonly void OnSlotEnded(in PohSlotEnd slotEnd)
        {
        }

        public readonly void OnRecordRejected(in PohRecord record, PohRecordStatus status)
        {
        }
    }

    private sealed class SegmentSink : IPohSink
    {
        public List<PohSegment> Segments { get; } = [];

        public void OnEntry(in PohEntry entry) => Segments.Add(entry.ToSegment());

        public void OnSlotEnded(in PohSlotEnd slotEnd)
        {
        }

        public void OnRecordRejected(in PohRecord record, PohRecordStatus status)
        {
        }
    }
}
