using System.Diagnostics;
using System.Net;
using Fast.Core.Platform;
using Fast.Crypto;
using Fast.Node.Bench;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>What `fast bench-tps` was asked to do.</summary>
public sealed record BenchTpsOptions(string Url, string FaucetPath, double DurationSeconds, int Accounts, int SenderThreads, double FixedRate, bool Json, bool SendToLeaders = true, bool ConstantTimeSigning = false, bool Segmentation = true)
{
    /// <summary>The longest run `--duration` accepts: a day (a soak test, not a typo).</summary>
    public const double MaxDurationSeconds = 86_400;
}

/// <summary>
/// `fast bench-tps`: a load generator against a running node. Funds N accounts from the faucet,
/// then sends transfers over UDP to each slot's scheduled leader (its TPU from getClusterNodes and
/// getLeaderSchedule: <see cref="LeaderTpus"/>) at the rate the node keeps up with (or a fixed
/// --rate), sampling confirmation latency. Transfers are signed in rolling
/// windows just ahead of sending with a blockhash refreshed from the node every second
/// (<see cref="RollingSigner"/>, in batches by <see cref="Fast.Crypto.VariableTimeBatchSigner"/> so the client's
/// signing takes a quarter of the CPU it would: it shares the machine with the node), so none is sent with a blockhash near expiry however long the run.
/// Against a node on this machine it also measures the node's sigverify bound (the `fast bench
/// sigverify` stage on the node's sigverify thread count) before and after the run and reports
/// tps_vs_sigverify_bound against the higher of the two; it samples the node's /metrics every
/// second for its queues, its resident memory and its drop counters.
/// </summary>
public sealed partial class BenchTps(BenchTpsOptions options, TextWriter progress)
{
    private const int SampleEvery = 128;

    /// <summary>
    /// Keeps this process (its threads now, and so the ones it starts) off the cores the local node
    /// keeps for its sigverify threads (--sigverify-cores): the load generator signing and sending on
    /// them would take the node's dedicated cores from it. The note says what was done.
    /// </summary>
    private string StayOffDedicatedCores(int[] dedicated)
    {
        int[] allowed = CpuAffinity.AllowedCores();
        int[] rest = [.. allowed.Where(c => Array.IndexOf(dedicated, c) < 0)];
        string cores = string.Join(',', dedicated);
        string note = rest.Length == 0
            ? $"the node keeps core(s) {cores} for its sigverify threads, and this process may run on no other: it shares them"
            : CpuAffinity.TryRestrictProcess(rest, out int errno)
                ? $"the node keeps core(s) {cores} for its sigverify threads: this process ran on {string.Join(',', rest)}, but for the sigverify bound, measured on core(s) {cores} while the node idled"
                : $"the node keeps core(s) {cores} for its sigverify threads; staying off them failed (errno {errno}), so this process shares them";
        progress.WriteLine($"bench-tps: {note}");
        return note;
    }
    private const int WindowSize = 1024;
    private const double LeadSeconds = 3;

    public async Task<BenchReport> RunAsync(CancellationToken cancel)
    {
        Keypair faucet = Cli.CliArgs.ReadKeypair(options.FaucetPath);
        using RpcClient rpc = new(options.Url);
        using NodeMetricsReader metrics = new(options.Url);
        (string? tpuText, _, _) = await rpc.GetTpuAsync(cancel).ConfigureAwait(false);
        if (tpuText is null || !IPEndPoint.TryParse(tpuText, out IPEndPoint? tpu)) throw new RpcClientException("the node advertises no TPU address in getClusterNodes");
        bool local = IPAddress.IsLoopback(tpu.Address) || IsLocalHost(options.Url);
        BenchReport report = new("bench-tps");

        // 1. The sigverify bound, measured while the node is idle, with the node's own thread count.
        double boundBefore = double.NaN;
        int sigverifyThreads = 0;
        int[]? dedicatedCores = null;
        if (local)
        {
            (sigverifyThreads, int[] dedicated) = await NodeSigverifyAsync(options.Url, cancel).ConfigureAwait(false);
            if (dedicated.Length > 0)
            {
                report.Note(StayOffDedicatedCores(dedicated));
                dedicatedCores = dedicated; // the bound is measured where the node's sigverify threads run
            }
            progress.WriteLine($"bench-tps: measuring this machine's sigverify bound with the node's {sigverifyThreads} sigverify thread(s)...");
            boundBefore = SigverifyBench.MeasureStageRate(sigverifyThreads, 8192, 4, cores: dedicatedCores);
            progress.WriteLine($"bench-tps: sigverify bound {boundBefore:N0} verifies/s");
        }

        // 2. Fund the accounts for the whole run: fees at the highest rate the controller may reach.
        double expectedRate = options.FixedRate > 0 ? options.FixedRate : double.IsNaN(boundBefore) ? 50_000 : boundBefore;
        double maxRate = options.FixedRate > 0 ? options.FixedRate : 2 * expectedRate;
        var accounts = new Keypair[options.Accounts];
        for (int i = 0; i < accounts.Length; i++) accounts[i] = Keypair.Generate();
        await FundAsync(rpc, faucet, accounts, FundingLamports(maxRate, options.DurationSeconds, accounts.Length), cancel).ConfigureAwait(false);

        // 3. Sign the first windows (LeadSeconds of sending at the starting rate) with a fresh blockhash; signer threads keep the lead topped up as the rate moves.
        SlotClock slots = new();
        int windows = (int)Math.Clamp(Math.Ceiling(maxRate * LeadSeconds / WindowSize), 4, 512);
        using RollingSigner signer = new(accounts, slots, new RollingSignerOptions(WindowSize, windows, RollingSignerOptions.DefaultMaxSendAgeSlots, options.ConstantTimeSigning));
        if (!await RefreshBlockhashAsync(rpc, slots, signer, cancel).ConfigureAwait(false)) throw new RpcClientException("getLatestBlockhash failed");
        // Start at 0.7 of the bound and climb (×1.15 a second while the node's queues are empty, ×1.05 while they are
        // short): starting at the bound on a busy machine fills the node's queues before the first back-off and puts
        // seconds of backlog in the latency; starting at half of it spent the first ~15 s of a run climbing.
        SendState state = new(options.FixedRate > 0 ? options.FixedRate : Math.Max(2000, expectedRate * 0.7), maxRate, options.Segmentation);
        signer.SetLead(state.Rate * LeadSeconds);
        var signing = Stopwatch.StartNew();
        signer.PreFill();
        progress.WriteLine($"bench-tps: signed the first {signer.Ready} windows of {WindowSize:N0} transfers in {signing.Elapsed.TotalSeconds:0.0} s; "
            + $"sending for {options.DurationSeconds:0} s to {tpu}, blockhash refreshed every second, none sent older than {RollingSignerOptions.DefaultMaxSendAgeSlots} slots");
        signer.Start(Math.Clamp(Environment.ProcessorCount, 1, 4)); // they sign only while windows are free: as much CPU as the send rate needs, on as many cores as it takes

        // 4. The timed phase.
        LatencySamples samples = new();
        ResidentMemoryTrack rss = new();
        NodeMetrics? metricsBefore = await metrics.ReadAsync(cancel).ConfigureAwait(false);
        rss.Add(metricsBefore?.ResidentBytes ?? double.NaN);
        ulong countBefore = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
        ulong slotBefore = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);
        LeaderTpus leaders = new(tpu);
        if (options.SendToLeaders)
        {
            await RefreshLeadersAsync(rpc, leaders, cancel).ConfigureAwait(false);
            progress.WriteLine($"bench-tps: sending to each slot's scheduled leader ({leaders.DistinctLeaders} validator(s) with a TPU lead slots up to {leaders.KnownUntil}; others via {tpu})");
        }
        else
        {
            progress.WriteLine($"bench-tps: sending every transfer to {tpu} (--send-to node: it forwards to the leaders)");
        }
        var clock = Stopwatch.StartNew();
        var senders = new Thread[Math.Max(1, options.SenderThreads)];
        for (int t = 0; t < senders.Length; t++)
        {
            senders[t] = new Thread(() => Send(senders.Length, leaders, slots, signer, samples, state, clock)) { Name = $"bench-tps-send-{t}", IsBackground = true };
            senders[t].Start();
        }
        await DriveAsync(rpc, metrics, signer, slots, leaders, samples, rss, state, clock, cancel).ConfigureAwait(false);
        state.Stop = true;
        foreach (Thread t in senders) t.Join();
        double sendSeconds = clock.Elapsed.TotalSeconds;
        ulong slotAfter = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);
        signer.Dispose();

        // 5. Drain: let the last transfers confirm (until the confirmed count stops moving).
        ulong countAfter = await DrainAsync(rpc, metrics, samples, rss, cancel).ConfigureAwait(false);
        NodeMetrics? metricsAfter = await metrics.ReadAsync(cancel).ConfigureAwait(false);
        rss.Add(metricsAfter?.ResidentBytes ?? double.NaN);

        // 6. The bound again, now that the node is idle: the shared machine's load drifts, and the ratio is taken against the higher.
        double boundAfter = double.NaN;
        if (local)
        {
            boundAfter = SigverifyBench.MeasureStageRate(sigverifyThreads, 8192, 4, cores: dedicatedCores);
            progress.WriteLine($"bench-tps: sigverify bound after the run {boundAfter:N0} verifies/s");
        }

        long sent = Interlocked.Read(ref state.Sent);
        ulong confirmed = countAfter - countBefore;
        double tps = confirmed / sendSeconds;
        double msPerSlot = slotAfter > slotBefore ? sendSeconds * 1000 / (slotAfter - slotBefore) : double.NaN;
        double p99 = samples.Percentile(99);

        report.Result("tps", tps)
              .Result("sent", sent)
              .Result("sent_to_two_leaders", Interlocked.Read(ref state.SentTwice))
              .Result("leaders", leaders.DistinctLeaders)
              .Result("confirmed", confirmed)
              .Result("dropped", Math.Max(0, sent - (long)confirmed))
              .Result("confirm_ms_p50", samples.Percentile(50))
              .Result("confirm_ms_p90", samples.Percentile(90))
              .Result("confirm_ms_p99", p99)
              .Result("confirm_slots_p99", p99 / msPerSlot)
              .Result("ms_per_slot", msPerSlot)
              .Result("duration_s", sendSeconds)
              .Result("accounts", accounts.Length)
              .Result("latency_samples", samples.Confirmed + samples.Outstanding + samples.GaveUp)
              .Result("signed", signer.Signed)
              .Result("stale_discarded_unsent", signer.DiscardedStale)
              .Result("seconds_a_validator_trailed_by_more_than_2_slots", state.SecondsTrailing)
              .Result("sender_waited_for_signer_s", Interlocked.Read(ref state.WaitedTicks) / (double)Stopwatch.Frequency)
              .Result("segmented_sends", Interlocked.Read(ref state.SegmentedSends));
        if (metricsBefore is not null && metricsAfter is not null)
        {
            double blockhash = metricsAfter.Dropped("banking", "blockhash") - metricsBefore.Dropped("banking", "blockhash");
            report.Result("node_dropped_blockhash", blockhash)
                  .Result("node_dropped_other", metricsAfter.DroppedTotal - metricsBefore.DroppedTotal - blockhash);
        }
        if (rss.Samples > 0)
        {
            report.Result("node_rss_bytes_start", rss.Start).Result("node_rss_bytes_max", rss.Max).Result("node_rss_bytes_end", rss.End);
        }
        else
        {
            report.Note("the node's /metrics has no fast_process_resident_bytes, so its memory was not sampled");
        }
        if (!double.IsNaN(boundBefore))
        {
            double bound = Math.Max(boundBefore, double.IsNaN(boundAfter) ? 0 : boundAfter);
            report.Reference("sigverify_bound_verifies_per_s", bound)
                  .Reference("sigverify_bound_before_verifies_per_s", boundBefore)
                  .Reference("sigverify_bound_after_verifies_per_s", boundAfter)
                  .Reference("node_sigverify_threads", sigverifyThreads);
            report.Ratio("tps_vs_sigverify_bound", tps / bound);
            report.Note("sigverify bound: the node's sigverify stage code on its thread count, in this process while the node idles, before and after the run; the ratio uses the higher");
        }
        else
        {
            report.Note("remote node: the sigverify bound was not measured, so tps_vs_sigverify_bound is omitted");
        }
        report.Note(options.ConstantTimeSigning
            ? "transfers signed with libsecp256k1's constant-time signer (--constant-time-signing)"
            : "transfers signed in batches by the variable-time signer (the same signatures as libsecp256k1's, about 4x the rate; throwaway keys only)");
        report.Note(!options.Segmentation
            ? "sent by sendmmsg, one datagram per message (--no-segmentation)"
            : state.SegmentationRefused > 0
                ? $"the kernel refused UDP segmentation offload on {state.SegmentationRefused} socket(s): those sent by sendmmsg"
                : "sent with UDP segmentation offload: one send per 64 equal-length transfers, cut by the kernel into separate datagrams, as the node receives them from sendmmsg (--no-segmentation: sendmmsg)");
        report.Note($"{samples.Outstanding + samples.GaveUp} of {samples.Confirmed + samples.Outstanding + samples.GaveUp} latency samples never confirmed ({samples.GaveUp} given up after {samples.GiveUpAfter.TotalSeconds:0} s)");
        return report;
    }

    /// <summary>
    /// Lamports each account gets: enough for the fee of every transfer it may send at <paramref name="maxRate"/>
    /// for the whole run (twice over, at 5,000 lamports a signature), and never less than 50,000,000.
    /// </summary>
    internal static ulong FundingLamports(double maxRate, double seconds, int accounts)
    {
        const double FeeBudgetPerTransfer = 2 * 5000;
        double perAccount = Math.Ceiling(maxRate * seconds / accounts) * FeeBudgetPerTransfer;
        return (ulong)Math.Clamp(50_000_000 + perAccount, 50_000_000, 1e15);
    }

    private static bool IsLocalHost(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.IsLoopback || uri.Host == "localhost");
}
