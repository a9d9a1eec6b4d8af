using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Storage.Blocks;

/// <summary>One getSignaturesForAddress result: a stored transaction naming the address, with its first signature.</summary>
public readonly record struct AddressSignature(ulong Slot, int Index, Signature Signature);

/// <summary>
/// The Blockstore's address → signatures index (<see cref="AddressSignatureIndex"/>): every account
/// key of every transaction in appended entries, indexed as the entries are appended and re-indexed
/// from the log when the Blockstore opens (so it is exactly as crash-consistent as the entries), and
/// purged with them. Its older chunks live in spill files under <see cref="AddressIndexFolder"/>
/// (<see cref="AddressIndexSpill"/>); queries walk it a bounded number of entries per hold of the lock
/// and read only the records holding the signatures they return.
/// </summary>
public sealed partial class Blockstore
{
    /// <summary>Solana's MAX_GET_CONFIRMED_SIGNATURES_FOR_ADDRESS2_LIMIT.</summary>
    public const int MaxAddressSignatures = 1000;

    /// <summary>Entries the address index reads per hold of the lock while answering a query (then lets the ledger writer in).</summary>
    internal const int AddressWalkStepsPerLock = 4096;

    /// <summary>The address index's folder of spill files (scratch, emptied on open).</summary>
    public const string AddressIndexFolder = "address-index";

    private readonly AddressSignatureIndex _addresses;

    /// <summary>The address index's size (metrics): distinct addresses, and entries at 32 B each.</summary>
    public (int Addresses, long Entries) AddressIndexSize
    {
        get
        {
            lock (_gate) return (_addresses.AddressCount, _addresses.EntryCount);
        }
    }

    /// <summary>
    /// The transactions naming <paramref name="address"/> in slots up to <paramref name="highestSlot"/>,
    /// newest first (by slot, then by position in the block): after <paramref name="before"/> when it is
    /// one of them (otherwise from the newest), stopping at <paramref name="until"/>, at most
    /// <paramref name="limit"/> (≤ <see cref="MaxAddressSignatures"/>). Cold path (RPC): allocates.
    /// </summary>
    public IReadOnlyList<AddressSignature> ReadAddressSignatures(in Pubkey address, ulong highestSlot, Signature? before, Signature? until, int limit)
    {
        limit = Math.Clamp(limit, 0, MaxAddressSignatures);
        List<AddressTransaction> found = new(Math.Min(limit, 64));
        Dictionary<ulong, (long Address, int Length)[]> batches = [];
        AddressSignatureIndex.Cursor cursor = default;
        ulong? beforeFingerprint = Fingerprint(before), untilFingerprint = Fingerprint(until);
        bool done;
        do
        {
            // A walk over entries spilled to disk may be long: it takes the lock a bounded number of entries at a time.
            lock (_gate)
            {
                ThrowIfDisposed();
                int from = found.Count;
                done = _addresses.Collect(address, LowestSlot ?? 0, highestSlot, beforeFingerprint, untilFingerprint, limit, found, ref cursor, AddressWalkStepsPerLock);
                for (int i = from; i < found.Count; i++)
                {
                    ulong slot = found[i].Slot;
                    if (!batches.ContainsKey(slot) && _slots.TryGetValue(slot, out SlotState? state)) batches[slot] = [.. state.Batches];
                }
            }
        }
        while (!done);
        List<AddressSignature> results = new(found.Count);
        long cachedAddress = -1;
        byte[] cached = [];
        foreach (AddressTransaction t in found)
        {
            if (!batches.TryGetValue(t.Slot, out (long Address, int Length)[]? slotBatches)) continue; // purged meanwhile
            long start = 0;
            foreach ((long recordAddress, int length) in slotBatches)
            {
                int payload = length - BlockRecord.EntriesHeaderSize;
                if (t.Offset < start + payload)
                {
                    if (recordAddress != cachedAddress)
                    {
                        if (recordAddress >= _log.CommittedUntilAddress) Commit();
                        (byte[] record, int read) = _log.ReadAsync(recordAddress, length).AsTask().GetAwaiter().GetResult();
                        if (read != length) ThrowHelper.ThrowStorage($"blockstore record at {recordAddress} of slot {t.Slot} has {read} bytes, expected {length}");
                        cached = record;
                        cachedAddress = recordAddress;
                    }
                    ReadOnlySpan<byte> bytes = cached.AsSpan(BlockRecord.EntriesHeaderSize + (int)(t.Offset - start), payload - (int)(t.Offset - start));
                    if (TransactionView.TryParsePrefix(bytes, out TransactionView tx).IsOk) results.Add(new AddressSignature(t.Slot, t.Index, tx.FirstSignature));
                    break;
                }
                start += payload;
            }
        }
        return results;
    }

    private static ulong? Fingerprint(Signature? signature) => signature is Signature s ? AddressSignatureIndex.Fingerprint(s.Span) : null;

    /// <summary>
    /// Indexes the account keys of the transactions in one batch of <paramref name="slot"/>'s entries
    /// (under the lock); <paramref name="firstTransaction"/> and <paramref name="firstByte"/> are the
    /// slot's transactions and entry bytes before it. Returns the batch's transactions; stops quietly at
    /// bytes that do not decode (they were checked when written; a damaged log is caught by checksums).
    /// </summary>
    private int IndexAddresses(ulong slot, int firstTransaction, long firstByte, ReadOnlySpan<byte> entries)
    {
        int count = 0;
        ref byte origin = ref MemoryMarshal.GetReference(entries);
        foreach (EntryView entry in new EntryStream(entries))
        {
            foreach (TransactionView tx in entry.Transactions)
            {
                long offset = firstByte + (long)Unsafe.ByteOffset(ref origin, ref MemoryMarshal.GetReference(tx.Bytes));
                if (offset > int.MaxValue) return count;
                ulong fingerprint = AddressSignatureIndex.Fingerprint(tx.GetSignatureBytes(0));
                for (int k = 0; k < tx.AccountKeyCount; k++)
                {
                    _addresses.Add(tx.GetAccountKey(k), slot, firstTransaction + count, (int)offset, fingerprint);
                }
                count++;
            }
        }
        return count;
    }
}
