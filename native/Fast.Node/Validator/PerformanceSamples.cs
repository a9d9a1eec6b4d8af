using Fast.Node.Rpc;

namespace Fast.Node.Validator;

/// <summary>
/// What getRecentPerformanceSamples reports: every <c>periodSeconds</c> (Solana: 60) of frozen
/// slots, one sample of how many slots froze and how many transactions they committed, the newest
/// <see cref="RpcMethods.MaxPerformanceSamples"/> kept in a ring. Fed by <see cref="ChainState.Frozen"/>
/// (the banking thread; recovery before it starts) with a monotonic clock; read by RPC threads under
/// a lock taken once per frozen slot. Fast has no vote transactions in blocks, so every transaction
/// is a non-vote one.
/// </summary>
public sealed class PerformanceSamples(int periodSeconds = PerformanceSamples.DefaultPeriodSeconds)
{
    public const int DefaultPeriodSeconds = 60;

    private readonly Lock _gate = new();
    private readonly PerformanceSample[] _ring = new PerformanceSample[RpcMethods.MaxPerformanceSamples];
    private int _count;
    private int _next;
    private bool _started;
    private long _periodStartMs;
    private ulong _periodStartSlot;
    private ulong _periodStartTransactions;

    /// <summary>Seconds per sample.</summary>
    public int PeriodSeconds { get; } = periodSeconds > 0 && periodSeconds <= ushort.MaxValue ? periodSeconds : throw new ArgumentOutOfRangeException(nameof(periodSeconds));

    /// <summary>
    /// A slot froze with <paramref name="cumulativeTransactions"/> committed transactions so far, at
    /// <paramref name="nowMs"/> of a monotonic clock; closes a sample once a period has passed.
    /// </summary>
    public void Observe(ulong slot, ulong cumulativeTransactions, long nowMs)
    {
        lock (_gate)
        {
            if (!_started)
            {
                Restart(slot, cumulativeTransactions, nowMs);
                _started = true;
                return;
            }
            long elapsedMs = nowMs - _periodStartMs;
            if (elapsedMs < PeriodSeconds * 1000L) return;
            ulong transactions = cumulativeTransactions >= _periodStartTransactions ? cumulativeTransactions - _periodStartTransactions : 0;
            ulong slots = slot >= _periodStartSlot ? slot - _periodStartSlot : 0;
            ushort seconds = (ushort)Math.Min(ushort.MaxValue, (elapsedMs + 500) / 1000);
            _ring[_next] = new PerformanceSample(slot, transactions, slots, seconds, transactions);
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
            Restart(slot, cumulativeTransactions, nowMs);
        }
    }

    /// <summary>The newest <paramref name="limit"/> samples, newest first.</summary>
    public IReadOnlyList<PerformanceSample> Newest(int limit)
    {
        lock (_gate)
        {
            int n = Math.Min(Math.Max(limit, 0), _count);
            var samples = new PerformanceSample[n];
            for (int i = 0; i < n; i++) samples[i] = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
            return samples;
        }
    }

    private void Restart(ulong slot, ulong cumulativeTransactions, long nowMs)
    {
        _periodStartMs = nowMs;
        _periodStartSlot = slot;
        _periodStartTransactions = cumulativeTransactions;
    }
}
