using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Exec;

namespace Fast.Node.Validator;

/// <summary>Where a processed transaction landed: slot, position in the block, outcome, fee.</summary>
public readonly record struct SignatureLocation(ulong Slot, int Index, TransactionError Error, byte InstructionIndex, ulong Fee);

/// <summary>
/// Recent signatures → where they landed, for getSignatureStatuses and getTransaction, without a
/// heap allocation per transaction: a fixed open-addressed table (8-way probing) in which a new
/// signature evicts the oldest slot's entry when its probe window is full. One writer (the banking
/// thread) and any number of readers (RPC threads); each entry is guarded by a sequence number
/// (odd while being written), so a reader retries instead of seeing a torn entry. Memory:
/// capacity × 96 bytes (2^19 entries = 48 MiB ≈ 26 s at 20 k TPS).
/// </summary>
public sealed class SignatureIndex
{
    private const int Probe = 8;

    private struct Entry
    {
        public long Sequence;
        public Signature Signature;
        public ulong Slot;
        public int Index;
        public TransactionError Error;
        public byte InstructionIndex;
        public bool Used;
        public ulong Fee;
    }

    private readonly Entry[] _entries;
    private readonly int _mask;

    public SignatureIndex(int capacityLog2 = 19)
    {
        if (capacityLog2 is < 4 or > 26) throw new ArgumentOutOfRangeException(nameof(capacityLog2));
        _entries = new Entry[1 << capacityLog2];
        _mask = (1 << capacityLog2) - 1;
    }

    public int Capacity => _entries.Length;

    private int Bucket(in Signature signature) => (int)(BinaryPrimitives.ReadUInt64LittleEndian(signature.Span) & (ulong)_mask);

    /// <summary>Records (or updates) a signature. Single writer.</summary>
    public void Add(in Signature signature, in SignatureLocation location)
    {
        int start = Bucket(signature);
        int victim = -1;
        ulong oldest = ulong.MaxValue;
        for (int i = 0; i < Probe; i++)
        {
            int at = (start + i) & _mask;
            ref Entry e = ref _entries[at];
            if (!e.Used || e.Signature == signature)
            {
                victim = at;
                break;
            }
            if (e.Slot < oldest)
            {
                oldest = e.Slot;
                victim = at;
            }
        }
        ref Entry target = ref _entries[victim];
        long sequence = target.Sequence;
        Volatile.Write(ref target.Sequence, sequence + 1);
        Interlocked.MemoryBarrier();
        target.Signature = signature;
        target.Slot = location.Slot;
        target.Index = location.Index;
        target.Error = location.Error;
        target.InstructionIndex = location.InstructionIndex;
        target.Fee = location.Fee;
        target.Used = true;
        Volatile.Write(ref target.Sequence, sequence + 2);
    }

    /// <summary>Looks a signature up; any thread.</summary>
    public bool TryGet(in Signature signature, out SignatureLocation location)
    {
        int start = Bucket(signature);
        for (int i = 0; i < Probe; i++)
        {
            ref Entry e = ref _entries[(start + i) & _mask];
            while (true)
            {
                long before = Volatile.Read(ref e.Sequence);
                if ((before & 1) != 0)
                {
                    Thread.SpinWait(4);
                    continue;
                }
                bool used = e.Used;
                Signature stored = e.Signature;
                SignatureLocation found = new(e.Slot, e.Index, e.Error, e.InstructionIndex, e.Fee);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref e.Sequence) != before) continue;
                if (used && stored == signature)
                {
                    location = found;
                    return true;
                }
                break;
            }
        }
        location = default;
        return false;
    }
}
