using Fast.Core.Collections;
using Fast.Core.Platform;
using Fast.Core.Poh;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Node.Cli;
using Fast.Node.Pipeline;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench poh`: the PoH generator (batches of <see cref="PohConfig.HashesPerBatch"/>, records
/// mixed in) and the verifier (one core on each hashing path, then every core) side by side with
/// the reference single-chain SHA-NI loop (<see cref="Sha256Kernel.Chain"/> in big batches), plus the
/// largest hashes-per-tick this machine sustains for the configured slot time.
/// </summary>
public static class PohBench
{
    /// <summary>Rounds of the interleaved measurement (each operation once per round; rates are medians over rounds).</summary>
    private const int MeasurementRounds = 11;

    /// <summary>Hashes per reference call: ~10 ms, long enough that the call itself costs nothing.</summary>
    private const ulong ReferenceBatch = 1 << 18;

    /// <summary>Hashes the generator does per measured call.</summary>
    private const ulong GeneratorHashesPerCall = 1 << 18;

    /// <summary>A record (one entry of transactions) every this many hashes while measuring the generator: ~13 k entries/s.</summary>
    private const ulong HashesPerRecord = 2048;

    /// <summary>The verifier's workload: one slot at Agave's default 12,500 hashes per tick, with an entry every ~1,000 hashes.</summary>
    private const ulong VerifyHashesPerTick = 12_500;

    public static BenchReport Run(double seconds, PohConfig config)
    {
        if (config.Core is int core && !CpuAffinity.TryPinCurrentThread(core, out int errno))
        {
            throw new CliException($"cannot pin to core {core} (errno {errno})", ExitCodes.Failure);
        }
        // --- generator -------------------------------------------------------------------------
        PohGenerator generator = new(Hash.Zero, 0, config.HashesPerTick, config.TicksPerSlot);
        BoundedQueue<PohRecord> records = new(64);
        CountingSink sink = new();
        byte[] transactions = new byte[1024];
        var mixin = Hash.Compute([1, 2, 3]);
        ulong batch = (ulong)config.HashesPerBatch;
        long recordId = 0;
        long Generator()
        {
            ulong start = generator.TotalHashes;
            ulong nextRecord = start + HashesPerRecord;
            while (generator.TotalHashes - start < GeneratorHashesPerCall)
            {
                if (generator.TotalHashes >= nextRecord)
                {
                    records.TryEnqueue(new PohRecord(generator.Slot, mixin, 4, transactions, ++recordId));
                    nextRecord += HashesPerRecord;
                }
                generator.DrainRecords(records, config.MaxRecordsPerDrain, ref sink);
                generator.HashBatch(batch, ref sink);
            }
            return (long)(generator.TotalHashes - start);
        }

        // --- reference: the single-chain SHA-NI loop -----------------------------------------
        byte[] referenceHash = new byte[Hash.Size];
        long Reference()
        {
            Sha256Kernel.Chain(referenceHash, ReferenceBatch);
            return (long)ReferenceBatch;
        }

        // --- what the machine gives right now: the reference loop on every core at once -----
        int cores = Environment.ProcessorCount;
        long ReferenceAllCores()
        {
            Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ =>
            {
                Span<byte> hash = stackalloc byte[Hash.Size];
                Sha256Kernel.Chain(hash, ReferenceBatch);
            });
            return (long)ReferenceBatch * cores;
        }

        // --- verifier ------------------------------------------------------------------------
        (Hash verifyStart, PohSegment[] segments, long verifyHashes) = SampleSlot(config.TicksPerSlot);
        PohHashPath path = PohVerifier.DefaultPath;
        Func<long> VerifyOn(PohHashPath p) => () =>
        {
            if (!PohVerifier.Verify(verifyStart, segments, p).IsValid) throw new InvalidOperationException($"the sample slot failed to verify on {p}");
            return verifyHashes;
        };
        long VerifyAllCores()
        {
            if (!PohVerifier.Verify(verifyStart, segments.AsMemory(), cores, path).IsValid) throw new InvalidOperationException("the sample slot failed to verify");
            return verifyHashes;
        }

        List<(string Name, Func<long> Operation)> operations =
        [
            ("reference", Reference),
            ("generator", Generator),
            ("verifier", VerifyOn(path)),
            ("verifier_all_cores", VerifyAllCores),
            ("reference_all_cores", ReferenceAllCores),
            ("shani_x4", VerifyOn(PohHashPath.ShaNiInterleaved)),
        ];
        if (PohVerifier.IsSupported(PohHashPath.Avx512Lanes16)) operations.Add(("avx512_x16", VerifyOn(PohHashPath.Avx512Lanes16)));
        if (PohVerifier.IsSupported(PohHashPath.Avx2Lanes8)) operations.Add(("avx2_x8", VerifyOn(PohHashPath.Avx2Lanes8)));

        // More, shorter rounds than the default: the median then shrugs off the preemptions of a shared machine.
        double[][] rounds = Throughput.InterleavedRounds(seconds, MeasurementRounds, [.. operations.Select(o => o.Operation)]);
        double[] Rounds(string name) => rounds[operations.FindIndex(o => o.Name == name)];
        double Rate(string name) => Throughput.Median(Rounds(name));
        double VersusReference(string name) => Throughput.MedianRatio(Rounds(name), Rounds("reference"));

        double reference = Rate("reference");
        double generatorRate = Rate("generator");
        double verifier = Rate("verifier");
        double verifierTotal = Rate("verifier_all_cores");
        double tickSeconds = config.TickNanoseconds / 1e9;

        BenchReport report = new("poh");
        report.Result("generator_hashes_per_s", generatorRate)
              .Result("verifier_hashes_per_s_per_core", verifier)
              .Result("verifier_hashes_per_s", verifierTotal)
              .Result("verifier_threads", cores)
              .Result("verifier_shani_x4_hashes_per_s_per_core", Rate("shani_x4"));
        if (PohVerifier.IsSupported(PohHashPath.Avx512Lanes16)) report.Result("verifier_avx512_x16_hashes_per_s_per_core", Rate("avx512_x16"));
        if (PohVerifier.IsSupported(PohHashPath.Avx2Lanes8)) report.Result("verifier_avx2_x8_hashes_per_s_per_core", Rate("avx2_x8"));
        report.Result("max_hashes_per_tick", Math.Floor(generatorRate * tickSeconds))
              .Result("configured_hashes_per_tick", config.HashesPerTick)
              .Reference("sha_ni_chain_hashes_per_s", reference)
              .Reference("sha_ni_chain_all_cores_hashes_per_s", Rate("reference_all_cores"))
              .Ratio("generator_vs_reference", VersusReference("generator"))
              .Ratio("verifier_per_core_vs_reference", VersusReference("verifier"))
              .Ratio("verifier_all_cores_vs_per_core", Throughput.MedianRatio(Rounds("verifier_all_cores"), Rounds("verifier")))
              .Ratio("reference_all_cores_vs_one", VersusReference("reference_all_cores"))
              .Ratio("generator_vs_configured_rate", generatorRate / config.RequiredHashesPerSecond);
        report.AllocatedBytesPerOp = Throughput.AllocatedPerUnit(3, Generator);
        report.Note($"slot {config.SlotMs} ms, {config.TicksPerSlot} ticks/slot ({tickSeconds * 1e3:0.###} ms/tick): max_hashes_per_tick = generator rate x tick time; configured {config.HashesPerTick} hashes/tick needs {config.RequiredHashesPerSecond / 1e6:0.##} M hashes/s");
        report.Note($"ratios are medians of per-round ratios over {MeasurementRounds} interleaved rounds; results are per-operation medians");
        report.Note($"generator: batches of {config.HashesPerBatch} hashes (one native call each), a 4-transaction record every {HashesPerRecord} hashes");
        report.Note($"verifier: default path {path}; workload one slot of {config.TicksPerSlot} ticks x {VerifyHashesPerTick} hashes with an entry every ~1000 hashes ({segments.Length} entries); all-cores run uses {cores} threads; reference_all_cores_vs_one is the scaling the machine itself gave in this run (the reference loop on every core at once), the ceiling for verifier_all_cores_vs_per_core");
        if (config.Core is int pinned) report.Note($"measured on a thread pinned to core {pinned} (the all-cores run also uses thread-pool threads)");
        report.Note(Sha256Kernel.UsesShaNi ? "reference: SHA-NI single chain (fast_sha256_chain)" : "reference: portable C single chain (no SHA-NI on this CPU)");
        return report;
    }

    /// <summary>One slot made by the real generator: ticks of <see cref="VerifyHashesPerTick"/> hashes and entries in between.</summary>
    private static (Hash Start, PohSegment[] Segments, long Hashes) SampleSlot(int ticksPerSlot)
    {
        var start = Hash.Compute("fast bench poh"u8);
        PohGenerator generator = new(start, 0, VerifyHashesPerTick, ticksPerSlot);
        CollectingSink sink = new();
        BoundedQueue<PohRecord> records = new(4);
        Random random = new(1);
        byte[] transactions = new byte[1];
        while (generator.TickHeight < (ulong)ticksPerSlot)
        {
            records.TryEnqueue(new PohRecord(generator.Slot, Hash.Compute(BitConverter.GetBytes(random.Next())), 1, transactions, 0));
            generator.DrainRecords(records, 1, ref sink);
            generator.HashBatch((ulong)random.Next(500, 1500), ref sink);
        }
        long hashes = 0;
        foreach (PohSegment segment in sink.Segments) hashes += (long)segment.NumHashes;
        return (start, [.. sink.Segments], hashes);
    }

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

    private sealed class CollectingSink : IPohSink
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
