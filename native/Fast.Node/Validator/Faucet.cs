using Fast.Crypto;

namespace Fast.Node.Validator;

/// <summary>The faucet's limits (flags --rpc-faucet-*): per request, and per minute in lamports and in requests.</summary>
public sealed record FaucetLimits
{
    /// <summary>10 SOL per request.</summary>
    public ulong MaxLamportsPerRequest { get; init; } = 10_000_000_000;

    /// <summary>100 SOL per minute in all.</summary>
    public ulong MaxLamportsPerMinute { get; init; } = 100_000_000_000;

    public int MaxRequestsPerMinute { get; init; } = 120;
}

/// <summary>
/// requestAirdrop's faucet: the keypair that pays airdrops (`fast devnet` passes its faucet.json) and
/// the limits that keep one client from draining it or flooding the TPU with airdrops — a cap per
/// request, and per one-minute window a cap on lamports and on requests (a refused request uses
/// neither). Called from RPC threads: the window is kept under a lock.
/// </summary>
public sealed class Faucet(Keypair keypair, FaucetLimits limits)
{
    private const long WindowMs = 60_000;

    private readonly Lock _gate = new();
    private long _windowStartMs = long.MinValue;
    private ulong _windowLamports;
    private int _windowRequests;

    public Keypair Keypair { get; } = keypair;

    public FaucetLimits Limits { get; } = limits;

    /// <summary>Takes <paramref name="lamports"/> from this minute's allowance; the reason when it is refused.</summary>
    public string? TryTake(ulong lamports, long nowMs)
    {
        if (lamports == 0) return "the amount must be at least 1 lamport";
        if (lamports > Limits.MaxLamportsPerRequest) return $"{lamports} lamports is over the faucet's cap of {Limits.MaxLamportsPerRequest} per request";
        lock (_gate)
        {
            if (_windowStartMs == long.MinValue || nowMs - _windowStartMs >= WindowMs)
            {
                _windowStartMs = nowMs;
                _windowLamports = 0;
                _windowRequests = 0;
            }
            if (_windowRequests >= Limits.MaxRequestsPerMinute) return $"the faucet's rate limit of {Limits.MaxRequestsPerMinute} requests per minute is reached; retry in {RetrySeconds(nowMs)} s";
            if (lamports > Limits.MaxLamportsPerMinute - Math.Min(_windowLamports, Limits.MaxLamportsPerMinute))
            {
                return $"the faucet's limit of {Limits.MaxLamportsPerMinute} lamports per minute is reached; retry in {RetrySeconds(nowMs)} s";
            }
            _windowRequests++;
            _windowLamports += lamports;
            return null;
        }
    }

    private long RetrySeconds(long nowMs) => Math.Max(1, (WindowMs - (nowMs - _windowStartMs) + 999) / 1000);
}
