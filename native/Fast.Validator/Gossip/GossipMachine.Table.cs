using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Validator.Machines;

namespace Fast.Validator.Gossip;

/// <summary>
/// The value table: one signed contact info per origin, sorted by origin pubkey (so every walk over it is
/// deterministic), the value bytes in one slab allocated up front. A newer wall clock replaces; equal or
/// older is a duplicate or stale. Admission runs the cheap checks (cluster, clock bounds, freshness)
/// before the signature check, so stale floods cost no verification.
/// </summary>
public sealed partial class GossipMachine
{
    /// <summary>What admission did with a value: stored it, already had it (or it is ours), or dropped it (and counted why).</summary>
    private enum ValueVerdict : byte
    {
        Inserted,
        Duplicate,
        Dropped,
    }

    /// <summary>One origin's value: its decoded contact info, its hash (for Bloom filters), when we last stored a newer one, where its bytes are in the slab, and whether it still has to be pushed.</summary>
    private struct TableEntry
    {
        public Pubkey Origin;
        public ContactInfo Info;
        public Hash ValueHash;
        public NodeTime UpdatedAt;
        public int Slot;
        public bool PendingPush;
    }

    private TableEntry[] _entries = [];
    private int _count;
    private byte[] _slab = [];
    private int[] _freeSlots = [];
    private int _freeCount;

    private void InitTable()
    {
        int capacity = _options.MaxTableEntries;
        _entries = new TableEntry[capacity];
        _slab = new byte[capacity * GossipValueView.EncodedLength];
        _freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) _freeSlots[i] = capacity - 1 - i;
        _freeCount = capacity;
    }

    /// <summary>Peers in the table (this node excluded).</summary>
    public int PeerCount => _count - (Find(Identity) >= 0 ? 1 : 0);

    /// <summary>Peer <paramref name="index"/> of <see cref="PeerCount"/>, in ascending identity order (this node excluded).</summary>
    public ContactInfo GetPeer(int index)
    {
        if ((uint)index >= (uint)PeerCount) throw new ArgumentOutOfRangeException(nameof(index));
        int self = Find(Identity);
        return _entries[self >= 0 && index >= self ? index + 1 : index].Info;
    }

    /// <summary>The live contact info of <paramref name="identity"/>, if the table holds it.</summary>
    public bool TryGetPeer(in Pubkey identity, out ContactInfo info)
    {
        int index = Find(identity);
        info = index >= 0 ? _entries[index].Info : default;
        return index >= 0;
    }

    /// <summary>Copies the peers (this node excluded), sorted by identity, into a list the caller owns (cold paths: RPC, logs).</summary>
    public void CopyPeers(List<ContactInfo> destination)
    {
        destination.Clear();
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Origin != Identity) destination.Add(_entries[i].Info);
        }
    }

    private ReadOnlySpan<byte> ValueBytes(int slot) => _slab.AsSpan(slot * GossipValueView.EncodedLength, GossipValueView.EncodedLength);

    /// <summary>Index of <paramref name="origin"/>, or the bitwise complement of where it would go.</summary>
    private int Find(in Pubkey origin)
    {
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = _entries[mid].Origin.CompareTo(origin);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }

    /// <summary>Judges a received value and stores it when it is a valid, newer value of our cluster. Counts what it drops.</summary>
    private ValueVerdict AdmitValue(GossipValueView value, NodeTime now)
    {
        if (value.ShredVersion != _shredVersion)
        {
            _counters.WrongShredVersion++;
            return ValueVerdict.Dropped;
        }
        if (value.GenesisHash != _genesisHash)
        {
            _counters.WrongGenesis++;
            return ValueVerdict.Dropped;
        }
        Pubkey origin = value.Identity;
        if (origin == Identity)
        {
            _counters.OwnValueEchoes++;
            return ValueVerdict.Duplicate;
        }
        ulong ours = WallclockMs(now);
        ulong wallclock = value.WallclockMs;
        if (wallclock > ours + (ulong)_options.MaxFutureDriftMs)
        {
            _counters.FromTheFuture++;
            return ValueVerdict.Dropped;
        }
        if (wallclock + (ulong)_options.PeerExpiryMs < ours)
        {
            _counters.Stale++;
            return ValueVerdict.Dropped;
        }
        int index = Find(origin);
        if (index >= 0)
        {
            ulong held = _entries[index].Info.WallclockMs;
            if (wallclock < held)
            {
                _counters.Stale++;
                return ValueVerdict.Dropped;
            }
            if (wallclock == held)
            {
                if (value.ComputeHash() == _entries[index].ValueHash)
                {
                    _counters.DuplicateValues++;
                    return ValueVerdict.Duplicate;
                }
                _counters.Stale++; // a second value with the same wall clock: the first one held wins
                return ValueVerdict.Dropped;
            }
        }
        else if (_count >= _entries.Length)
        {
            _counters.TableFull++;
            return ValueVerdict.Dropped;
        }

        int length = value.WriteSigningMessage(_signingMessage);
        if (!_verifier.Verify(origin, _signingMessage.AsSpan(0, length), value.SignatureBytes))
        {
            _counters.BadSignature++;
            return ValueVerdict.Dropped;
        }
        Store(index, value, now);
        _counters.ValuesInserted++;
        return ValueVerdict.Inserted;
    }

    /// <summary>Puts our own freshly signed value in the table (never expired, always pushed).</summary>
    private void StoreOwnValue(ReadOnlySpan<byte> valueBytes, NodeTime now)
    {
        var value = GossipValueView.FromValidated(valueBytes);
        Store(Find(Identity), value, now);
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="index"/> (an existing entry) or inserts it at ~index.</summary>
    private void Store(int index, GossipValueView value, NodeTime now)
    {
        if (index < 0)
        {
            int at = ~index;
            Array.Copy(_entries, at, _entries, at + 1, _count - at);
            _count++;
            _entries[at] = new TableEntry { Origin = value.Identity, Slot = _freeSlots[--_freeCount] };
            index = at;
        }
        ref TableEntry entry = ref _entries[index];
        value.Bytes.CopyTo(_slab.AsSpan(entry.Slot * GossipValueView.EncodedLength));
        entry.Info = value.ToContactInfo();
        entry.ValueHash = value.ComputeHash();
        entry.UpdatedAt = now;
        entry.PendingPush = true;
    }

    /// <summary>Drops peers whose value was not refreshed within PeerExpiryMs (keeps the order; frees their slots).</summary>
    private void ExpireSilentPeers(NodeTime now)
    {
        long expiryNs = _options.PeerExpiryMs * 1_000_000;
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            TableEntry entry = _entries[i];
            if (entry.Origin != Identity && now.Since(entry.UpdatedAt) > expiryNs)
            {
                _freeSlots[_freeCount++] = entry.Slot;
                _counters.PeersExpired++;
                continue;
            }
            _entries[kept++] = entry;
        }
        for (int i = kept; i < _count; i++) _entries[i] = default;
        _count = kept;
    }
}
