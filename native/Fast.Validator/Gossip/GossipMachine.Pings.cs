using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fast.Core.Gossip;
using Fast.Core.Primitives;
using Fast.Validator.Machines;
using Fast.Validator.Net;

namespace Fast.Validator.Gossip;

/// <summary>
/// Ping/pong and per-address budgets. An (address, identity) pair is verified when a pong signed by the
/// identity, from the address, carries sha256 of the token we pinged that address with; only verified
/// pairs get pushes, pull requests and pull responses from us, and only their pushes, pulls and responses
/// are processed. Tokens are sha256(secret ping key ‖ counter ‖ address), the key drawn from the seeded
/// rng at start, so they cannot be guessed from the outside. Every table here is bounded by
/// MaxTrackedAddresses; expiry walks them only to remove (order-independent).
/// </summary>
public sealed partial class GossipMachine
{
    /// <summary>Entrypoints given with --entrypoint; a handful at most.</summary>
    public const int MaxEntrypoints = 16;

    /// <summary>What a pong verifies: this identity answers at this address.</summary>
    private readonly record struct PeerKey(PeerAddress Address, Pubkey Identity);

    /// <summary>A ping sent to an address and not yet answered: the hash its pong must carry, and when it went out.</summary>
    private struct PendingPing
    {
        public Hash ExpectedPongHash;
        public NodeTime SentAt;
    }

    /// <summary>Packets of each budgeted kind seen from one address in the current rate window.</summary>
    private struct RateCounts
    {
        public int PullRequests;
        public int Pings;
        public int ValuePackets;
    }

    /// <summary>The budgets a packet can be charged to.</summary>
    private enum RateKind : byte
    {
        PullRequest,
        Ping,
        ValuePacket,
    }

    /// <summary>An --entrypoint address and, once its pong arrived, the identity that answers there.</summary>
    private struct Entrypoint
    {
        public PeerAddress Address;
        public Pubkey Identity;
        public bool IdentityKnown;
    }

    private Dictionary<PeerKey, NodeTime> _verified = [];
    private Dictionary<PeerAddress, PendingPing> _pendingPings = [];
    private Dictionary<PeerAddress, RateCounts> _rates = [];
    private NodeTime _rateWindowStart;
    private readonly Entrypoint[] _entrypoints = new Entrypoint[MaxEntrypoints];
    private int _entrypointCount;
    private readonly byte[] _pingKey = new byte[Hash.Size];
    private ulong _pingCounter;

    private void InitPings()
    {
        int capacity = _options.MaxTrackedAddresses;
        _verified = new Dictionary<PeerKey, NodeTime>(capacity);
        _pendingPings = new Dictionary<PeerAddress, PendingPing>(capacity);
        _rates = new Dictionary<PeerAddress, RateCounts>(capacity);
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt64LittleEndian(_pingKey.AsSpan(i * 8), _rng.NextUInt64());
    }

    private void AddEntrypointAddress(PeerAddress address)
    {
        for (int i = 0; i < _entrypointCount; i++)
        {
            if (_entrypoints[i].Address == address) return;
        }
        if (_entrypointCount == MaxEntrypoints) throw new InvalidOperationException($"at most {MaxEntrypoints} entrypoints");
        _entrypoints[_entrypointCount++] = new Entrypoint { Address = address };
    }

    /// <summary>True while a pong from <paramref name="address"/> signed by <paramref name="identity"/> is younger than PingLifetimeMs.</summary>
    public bool IsVerified(PeerAddress address, in Pubkey identity, NodeTime now) =>
        _verified.TryGetValue(new PeerKey(address, identity), out NodeTime at) && now.Since(at) < _options.PingLifetimeMs * 1_000_000;

    /// <summary>Not verified, or verified more than half a lifetime ago (re-pinged before it lapses).</summary>
    private bool NeedsPing(PeerAddress address, in Pubkey identity, NodeTime now) =>
        !_verified.TryGetValue(new PeerKey(address, identity), out NodeTime at) || now.Since(at) >= _options.PingLifetimeMs * 500_000;

    /// <summary>Pings <paramref name="to"/> unless a ping to it is younger than PingRetryMs or the pending table is full.</summary>
    private void SendPing<TSink>(PeerAddress to, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (_pendingPings.TryGetValue(to, out PendingPing pending))
        {
            if (now.Since(pending.SentAt) < _options.PingRetryMs * 1_000_000) return;
        }
        else if (_pendingPings.Count >= _options.MaxTrackedAddresses)
        {
            return;
        }

        Span<byte> seed = stackalloc byte[Hash.Size + sizeof(ulong) + PeerAddress.EncodedSize];
        _pingKey.CopyTo(seed);
        BinaryPrimitives.WriteUInt64LittleEndian(seed[Hash.Size..], _pingCounter++);
        to.Write(seed[(Hash.Size + sizeof(ulong))..]);
        var token = Hash.Compute(seed);
        _pendingPings[to] = new PendingPing { ExpectedPongHash = Hash.Compute(token.Span), SentAt = now };

        SendSignedPing(to, GossipMessageKind.Ping, token.Span, ref actions);
        _counters.PingsSent++;
    }

    private void SendSignedPing<TSink>(PeerAddress to, GossipMessageKind kind, ReadOnlySpan<byte> token, ref TSink actions) where TSink : struct, ISendActions
    {
        Span<byte> packet = _pingPacket;
        GossipMessageWriter.WritePingUnsigned(packet, kind, Identity, token);
        int length = GossipMessageWriter.WritePingSigningMessage(packet, _signingMessage);
        _signer.Sign(_signingMessage.AsSpan(0, length), GossipMessageWriter.PingSignature(packet));
        actions.Send(to, packet);
    }

    private bool VerifyPingSignature(GossipMessageView message)
    {
        int length = message.WritePingSigningMessage(_signingMessage);
        if (_verifier.Verify(message.From, _signingMessage.AsSpan(0, length), message.PingSignatureBytes)) return true;
        _counters.BadSignature++;
        return false;
    }

    /// <summary>
    /// Answers a ping with a signed pong carrying sha256 of its token. Answering proves nothing about the
    /// pinger, so no state is kept for strangers; a pinger that is a peer in our table, pinging from its
    /// advertised gossip address, is pinged back when it needs verifying, so both directions open in one
    /// round trip instead of waiting for its first push or pull to be dropped.
    /// </summary>
    private void OnPing<TSink>(PeerAddress from, GossipMessageView message, NodeTime now, ref TSink actions) where TSink : struct, ISendActions
    {
        if (!TakeRateBudget(from, RateKind.Ping) || !VerifyPingSignature(message)) return;
        var hash = Hash.Compute(message.Token);
        SendSignedPing(from, GossipMessageKind.Pong, hash.Span, ref actions);
        _counters.PongsSent++;
        Pubkey pinger = message.From;
        if (TryGetPeer(pinger, out ContactInfo peer) && ToPeerAddress(peer.Gossip) == from && NeedsPing(from, pinger, now)) SendPing(from, now, ref actions);
    }

    /// <summary>A pong that answers our pending ping to its source verifies (source, signer).</summary>
    private void OnPong(PeerAddress from, GossipMessageView message, NodeTime now)
    {
        if (!_pendingPings.TryGetValue(from, out PendingPing pending) || !message.Token.SequenceEqual(pending.ExpectedPongHash.Span))
        {
            _counters.UnexpectedPong++;
            return;
        }
        if (!VerifyPingSignature(message)) return;
        _pendingPings.Remove(from);
        var key = new PeerKey(from, message.From);
        if (!_verified.ContainsKey(key) && _verified.Count >= _options.MaxTrackedAddresses) return;
        _verified[key] = now;
        _counters.PeersVerified++;
        for (int i = 0; i < _entrypointCount; i++)
        {
            ref Entrypoint entrypoint = ref _entrypoints[i];
            if (entrypoint.Address != from) continue;
            entrypoint.Identity = message.From;
            entrypoint.IdentityKnown = true;
        }
    }

    /// <summary>Forgets verifications past their lifetime and pings that were never answered.</summary>
    private void ExpireVerifications(NodeTime now)
    {
        long lifetimeNs = _options.PingLifetimeMs * 1_000_000;
        foreach (KeyValuePair<PeerKey, NodeTime> pair in _verified)
        {
            if (now.Since(pair.Value) >= lifetimeNs) _verified.Remove(pair.Key);
        }
        foreach (KeyValuePair<PeerAddress, PendingPing> pair in _pendingPings)
        {
            if (now.Since(pair.Value.SentAt) >= lifetimeNs) _pendingPings.Remove(pair.Key);
        }
    }

    /// <summary>Starts a new rate window (all per-address counts back to zero) when the current one has run out.</summary>
    private void RollRateWindow(NodeTime now)
    {
        if (now.Since(_rateWindowStart) < _options.RateWindowMs * 1_000_000) return;
        _rates.Clear();
        _rateWindowStart = now;
    }

    /// <summary>Counts one packet of <paramref name="kind"/> from <paramref name="from"/>; false (and counted RateLimited) over budget.</summary>
    private bool TakeRateBudget(PeerAddress from, RateKind kind)
    {
        if (!_rates.ContainsKey(from) && _rates.Count >= _options.MaxTrackedAddresses)
        {
            _counters.RateLimited++;
            return false;
        }
        ref RateCounts counts = ref CollectionsMarshal.GetValueRefOrAddDefault(_rates, from, out _);
        bool within = kind switch
        {
            RateKind.PullRequest => ++counts.PullRequests <= _options.MaxPullRequestsPerWindow,
            RateKind.Ping => ++counts.Pings <= _options.MaxPingsPerWindow,
            _ => ++counts.ValuePackets <= _options.MaxValuePacketsPerWindow,
        };
        if (!within) _counters.RateLimited++;
        return within;
    }
}
