using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Net.Packets;

namespace Fast.Node.Pipeline;

/// <summary>
/// One sigverify thread's batch: packets are parsed and de-duplicated as they are added, their
/// signatures collected into a <see cref="SchnorrBatch"/>; <see cref="Flush"/> verifies them in one
/// batch equation (bisecting a failed batch to the exact bad signatures, or singly while
/// <see cref="BatchFailureShare"/> says most batches fail) and forwards or drops each packet in
/// arrival order, as <see cref="SigverifyStage.Process"/> does for one. Sized at construction:
/// adding and flushing allocate nothing. Each worker keeps a cache of recently parsed public keys
/// (<see cref="XOnlyKeyCache"/>): a repeat sender's key is lifted to a curve point once, not per
/// packet. Owned by one thread (a stage thread, or a bench/test).
/// </summary>
public sealed class SigverifyWorker : IDisposable
{
    private readonly SigverifyStage _stage;
    private readonly SchnorrBatch _batch;
    private readonly PendingPacket[] _pending;
    private readonly bool[] _valid;
    private BatchFailureShare _failures;
    private int _count;

    private struct PendingPacket
    {
        public Packet Packet;
        public TransactionLayout Layout;
        public PacketFingerprint Fingerprint;
        public int FirstSignature;
        public int Signatures;
    }

    internal SigverifyWorker(SigverifyStage stage, int batchSignatures)
    {
        _stage = stage;
        _batch = new SchnorrBatch(batchSignatures, keyCacheEntries: XOnlyKeyCache.DefaultEntries);
        _pending = new PendingPacket[batchSignatures];
        _valid = new bool[batchSignatures];
    }

    /// <summary>Signatures one batch holds.</summary>
    public int Capacity => _batch.Capacity;

    /// <summary>True when the next packet may not fit: flush first.</summary>
    public bool IsFull => _batch.IsFull;

    /// <summary>Packets waiting in the batch.</summary>
    public int Pending => _count;

    /// <summary>Signatures waiting in the batch.</summary>
    public int Signatures => _batch.Count;

    /// <summary>This thread's cache of parsed public keys (hits and misses, for the bench and tests).</summary>
    public XOnlyKeyCache KeyCache => _batch.KeyCache!;

    /// <summary>This thread's failing-batch share and mode (for metrics and tests).</summary>
    public BatchFailureShare Failures => _failures;

    /// <summary>
    /// Parses the packet (malformed: dropped, counted), drops a recent duplicate, and adds its
    /// signatures to the batch — flushing first when they do not fit. A transaction with more
    /// signatures than a whole batch is verified on its own.
    /// </summary>
    public void Add(Packet packet)
    {
        if (!_stage.Admit(packet, out TransactionLayout layout, out PacketFingerprint fingerprint)) return;
        var tx = TransactionView.FromValidated(_stage.Data(packet), layout);
        int signatures = tx.SignatureCount;
        if (signatures > _batch.Capacity)
        {
            _stage.Finish(packet, layout, fingerprint, TransactionSignatures.VerifyAll(tx), sharedBatch: false);
            return;
        }
        ReadOnlySpan<byte> message = tx.Message;
        // Each signature carries its own copy of the message; an empty batch always has room (capacity × 1,280 bytes).
        if (_batch.Capacity - _batch.Count < signatures || _batch.FreeMessageBytes < message.Length * signatures) Flush();

        int first = _batch.Count;
        for (int i = 0; i < signatures; i++) _batch.TryAdd(tx.GetAccountKeyBytes(i), message, tx.GetSignatureBytes(i));
        _pending[_count++] = new PendingPacket { Packet = packet, Layout = layout, Fingerprint = fingerprint, FirstSignature = first, Signatures = signatures };
    }

    /// <summary>Verifies the batch and forwards or drops each of its packets, in the order they were added.</summary>
    public void Flush()
    {
        if (_count == 0) return;
        int invalid = _failures.Singly ? _batch.VerifyEachSingly(_valid) : _batch.VerifyEach(_valid);
        for (int p = 0; p < _count; p++)
        {
            ref PendingPacket pending = ref _pending[p];
            bool valid = true;
            for (int i = pending.FirstSignature; i < pending.FirstSignature + pending.Signatures; i++) valid &= _valid[i];
            _stage.Finish(pending.Packet, pending.Layout, pending.Fingerprint, valid, sharedBatch: true);
        }
        _failures.Record(invalid > 0);
        _count = 0;
        _batch.Clear();
    }

    public void Dispose() => _batch.Dispose();
}
