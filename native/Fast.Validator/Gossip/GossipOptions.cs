namespace Fast.Validator.Gossip;

/// <summary>
/// The gossip machine's knobs (<see cref="GossipMachine"/>), with defaults for a small cluster. Fast.Node
/// maps its command-line flags onto these; tests shrink the intervals. Times are milliseconds of NodeTime
/// except where a name says wall clock.
/// </summary>
public sealed record GossipOptions
{
    /// <summary>Peers each push round sends new values to.</summary>
    public int PushFanout { get; init; } = 6;

    public long PushIntervalMs { get; init; } = 100;

    public long PullIntervalMs { get; init; } = 500;

    /// <summary>A peer whose value was not refreshed for this long is dropped from the table.</summary>
    public long PeerExpiryMs { get; init; } = 15_000;

    /// <summary>How often the node re-signs its own contact info with a new wall clock (well under the expiry).</summary>
    public long RefreshIntervalMs { get; init; } = 5_000;

    /// <summary>How long a matching pong keeps an (address, identity) pair verified; re-pinged after half of it.</summary>
    public long PingLifetimeMs { get; init; } = 30_000;

    /// <summary>The least time between two pings to one address.</summary>
    public long PingRetryMs { get; init; } = 1_000;

    /// <summary>
    /// A value whose wall clock is more than this ahead of the node's own is dropped (FromTheFuture): a
    /// node with a fast clock, or a forger, cannot pin a value that no honest refresh would ever replace.
    /// </summary>
    public long MaxFutureDriftMs { get; init; } = 10_000;

    /// <summary>Per-address rate limits count packets in fixed windows of this length.</summary>
    public long RateWindowMs { get; init; } = 1_000;

    /// <summary>Pull requests answered per source address per window.</summary>
    public int MaxPullRequestsPerWindow { get; init; } = 4;

    /// <summary>Pings answered per source address per window.</summary>
    public int MaxPingsPerWindow { get; init; } = 8;

    /// <summary>Pushes and pull responses processed per source address per window (each may cost 6 signature checks).</summary>
    public int MaxValuePacketsPerWindow { get; init; } = 64;

    /// <summary>A pull response (all its packets) is at most this many times the request's bytes: no reflection amplifier.</summary>
    public int PullResponseAmplification { get; init; } = 2;

    /// <summary>Values the table holds at most (new origins beyond it are dropped and counted).</summary>
    public int MaxTableEntries { get; init; } = 4_096;

    /// <summary>Addresses tracked at most by each of the rate-limit, pending-ping and verified-peer tables.</summary>
    public int MaxTrackedAddresses { get; init; } = 4_096;

    /// <summary>New values sent per push round at most (the rest wait for the next round, or travel by pull).</summary>
    public int MaxPushValuesPerRound { get; init; } = 24;

    /// <summary>Pings sent per pull round at most to table peers not yet verified (or due for re-verification).</summary>
    public int MaxPingsPerRound { get; init; } = 16;

    internal void Validate()
    {
        if (PushFanout < 1) throw new ArgumentOutOfRangeException(nameof(PushFanout));
        if (PushIntervalMs < 1 || PullIntervalMs < 1 || RateWindowMs < 1 || PingRetryMs < 1) throw new ArgumentOutOfRangeException(nameof(PushIntervalMs), "intervals must be positive");
        if (RefreshIntervalMs < 1 || RefreshIntervalMs >= PeerExpiryMs) throw new ArgumentOutOfRangeException(nameof(RefreshIntervalMs), "must be positive and below the peer expiry");
        if (PingLifetimeMs < 2) throw new ArgumentOutOfRangeException(nameof(PingLifetimeMs));
        if (MaxFutureDriftMs < 0) throw new ArgumentOutOfRangeException(nameof(MaxFutureDriftMs));
        if (PullResponseAmplification < 1) throw new ArgumentOutOfRangeException(nameof(PullResponseAmplification));
        if (MaxTableEntries < 2 || MaxTrackedAddresses < 1 || MaxPushValuesPerRound < 1 || MaxPingsPerRound < 1) throw new ArgumentOutOfRangeException(nameof(MaxTableEntries));
        if (MaxPullRequestsPerWindow < 1 || MaxPingsPerWindow < 1 || MaxValuePacketsPerWindow < 1) throw new ArgumentOutOfRangeException(nameof(MaxPullRequestsPerWindow));
    }
}
