using Fast.Core.Codec;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Validator.Machines;
using Fast.Validator.Net;

namespace Fast.Validator.Gossip;

/// <summary>
/// Push and pull. Each push round sends the values that became new since the last round to PushFanout
/// verified peers picked with the seeded rng; each pull round pings peers that need it and sends one
/// verified peer (or entrypoint) our own value and a Bloom filter of everything we hold. A pull is
/// answered, for verified requesters within their budget, with values missing from the filter, starting
/// at a random place in the table, in packets whose total size is at most PullResponseAmplification
/// times the request's.
/// </summary>
public sealed partial class GossipMachine
{
    private int[] _candidates = [];
    private int[] _pushIndexes = [];
    private readonly PeerAddress[] _pullTargets = new PeerAddress[MaxEntrypoints + 1];
    private readonly BloomFilter _filter = new();

    private void EnsureScratch()
    {
        if (_candidates.Length == 0)
        {
            _candidates = new int[_options.MaxTableEntries];
            _pushIndexes = new int[_options.MaxPushValuesPerRound];
        }
    }

    private void PushRound<TSink>(NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        EnsureScratch();
        int pending = 0;
        for (int i = 0; i < _count && pending < _pushIndexes.Length; i++)
        {
            if (!_entries[i].PendingPush) continue;
            _entries[i].PendingPush = false;
            _pushIndexes[pending++] = i;
        }
        if (pending == 0) return;

        int candidates = 0;
        for (int i = 0; i < _count; i++)
        {
            ref readonly TableEntry entry = ref _entries[i];
            if (entry.Origin != Identity && IsVerified(ToPeerAddress(entry.Info.Gossip), entry.Origin, now)) _candidates[candidates++] = i;
        }
        int fanout = Math.Min(_options.PushFanout, candidates);
        for (int j = 0; j < fanout; j++)
        {
            int pick = j + _rng.NextInt(candidates - j);
            (_candidates[j], _candidates[pick]) = (_candidates[pick], _candidates[j]);
        }
        if (fanout == 0) return; // nobody verified yet: these values travel by pull

        for (int first = 0; first < pending; first += GossipMessageView.MaxValuesPerMessage)
        {
            int n = Math.Min(GossipMessageView.MaxValuesPerMessage, pending - first);
            var writer = new SpanWriter(_packet);
            GossipMessageWriter.WriteValuesHeader(ref writer, GossipMessageKind.Push, Identity, n);
            for (int v = 0; v < n; v++) GossipMessageWriter.WriteValue(ref writer, ValueBytes(_entries[_pushIndexes[first + v]].Slot));
            for (int j = 0; j < fanout; j++)
            {
                actions.Send(ToPeerAddress(_entries[_candidates[j]].Info.Gossip), writer.Written);
                _counters.PushPacketsSent++;
            }
        }
    }

    private void PullRound<TSink>(NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        EnsureScratch();
        PingWhoNeedsIt(now, ref actions);

        // Candidates: verified peers from the table, and entrypoints whose pong we have.
        int candidates = 0;
        for (int i = 0; i < _count; i++)
        {
            ref readonly TableEntry entry = ref _entries[i];
            if (entry.Origin != Identity && IsVerified(ToPeerAddress(entry.Info.Gossip), entry.Origin, now)) _candidates[candidates++] = i;
        }
        int entrypoints = 0;
        for (int i = 0; i < _entrypointCount; i++)
        {
            ref readonly Entrypoint entrypoint = ref _entrypoints[i];
            if (entrypoint.IdentityKnown && IsVerified(entrypoint.Address, entrypoint.Identity, now)) _pullTargets[entrypoints++] = entrypoint.Address;
        }
        int total = candidates + entrypoints;
        if (total == 0) return;
        int pick = _rng.NextInt(total);
        PeerAddress target = pick < candidates ? ToPeerAddress(_entries[_candidates[pick]].Info.Gossip) : _pullTargets[pick - candidates];

        _filter.Reset(BloomFilter.MaxWords, BloomFilter.OptimalHashCount(_count, BloomFilter.MaxBits), _rng.NextUInt64());
        for (int i = 0; i < _count; i++) _filter.Add(_entries[i].ValueHash);
        int self = Find(Identity);
        var writer = new SpanWriter(_packet);
        GossipMessageWriter.WritePullRequest(ref writer, ValueBytes(_entries[self].Slot), _filter);
        actions.Send(target, writer.Written);
        _counters.PullRequestsSent++;
    }

    /// <summary>Pings unverified entrypoints, and up to MaxPingsPerRound table peers that are unverified or due for re-verification.</summary>
    private void PingWhoNeedsIt<TSink>(NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        for (int i = 0; i < _entrypointCount; i++)
        {
            Entrypoint entrypoint = _entrypoints[i];
            if (!entrypoint.IdentityKnown || NeedsPing(entrypoint.Address, entrypoint.Identity, now)) SendPing(entrypoint.Address, now, ref actions);
        }
        if (_count == 0) return;
        long before = _counters.PingsSent;
        int start = _rng.NextInt(_count);
        for (int k = 0; k < _count && _counters.PingsSent - before < _options.MaxPingsPerRound; k++)
        {
            ref readonly TableEntry entry = ref _entries[(start + k) % _count];
            if (entry.Origin == Identity) continue;
            PeerAddress address = ToPeerAddress(entry.Info.Gossip);
            if (NeedsPing(address, entry.Origin, now)) SendPing(address, now, ref actions);
        }
    }

    private void OnPullRequest<TSink>(PeerAddress from, GossipMessageView message, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        GossipValueView requesterValue = message.RequesterValue;
        if (requesterValue.ShredVersion != _shredVersion)
        {
            _counters.WrongShredVersion++;
            return;
        }
        if (requesterValue.GenesisHash != _genesisHash)
        {
            _counters.WrongGenesis++;
            return;
        }
        Pubkey requester = requesterValue.Identity;
        if (requester == Identity)
        {
            _counters.OwnValueEchoes++;
            return;
        }
        if (!IsVerified(from, requester, now))
        {
            _counters.FromUnpingedPeer++;
            SendPing(from, now, ref actions);
            return;
        }
        if (!TakeRateBudget(from, RateKind.PullRequest)) return;
        if (AdmitValue(requesterValue, now) == ValueVerdict.Dropped) return;

        BloomFilterView filter = message.Filter;
        int budget = _options.PullResponseAmplification * message.Bytes.Length;
        int sent = 0;
        int inPacket = 0;
        int start = _rng.NextInt(_count);
        for (int k = 0; k < _count; k++)
        {
            ref readonly TableEntry entry = ref _entries[(start + k) % _count];
            if (entry.Origin == requester || filter.Contains(entry.ValueHash)) continue;
            if (sent + GossipMessageWriter.ValuesMessageLength(inPacket + 1) > budget) break;
            ValueBytes(entry.Slot).CopyTo(_packet.AsSpan(GossipMessageWriter.ValuesMessageLength(inPacket)));
            if (++inPacket < GossipMessageView.MaxValuesPerMessage) continue;
            sent += SendPullResponse(from, inPacket, ref actions);
            inPacket = 0;
        }
        if (inPacket > 0) SendPullResponse(from, inPacket, ref actions);
    }

    /// <summary>Writes the header in front of the values already in the scratch packet and sends it; returns its size.</summary>
    private int SendPullResponse<TSink>(PeerAddress to, int valueCount, ref TSink actions) where TSink : struct, ISendActions
    {
        var writer = new SpanWriter(_packet);
        GossipMessageWriter.WriteValuesHeader(ref writer, GossipMessageKind.PullResponse, Identity, valueCount);
        int length = GossipMessageWriter.ValuesMessageLength(valueCount);
        actions.Send(to, _packet.AsSpan(0, length));
        _counters.PullResponsePacketsSent++;
        return length;
    }

    /// <summary>A push or pull response: each value judged on its own, from verified senders within budget.</summary>
    private void OnValues<TSink>(PeerAddress from, GossipMessageView message, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (!IsVerified(from, message.From, now))
        {
            _counters.FromUnpingedPeer++;
            SendPing(from, now, ref actions);
            return;
        }
        if (!TakeRateBudget(from, RateKind.ValuePacket)) return;
        for (int i = 0; i < message.ValueCount; i++) AdmitValue(message.GetValue(i), now);
    }
}
