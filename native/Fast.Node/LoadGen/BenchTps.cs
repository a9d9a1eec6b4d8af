using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Net.Send;
using Fast.Node.Bench;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>What `fast bench-tps` was asked to do.</summary>
public sealed record BenchTpsOptions(string Url, string FaucetPath, double DurationSeconds, int Accounts, int SenderThreads, double FixedRate, bool Json);

/// <summary>
/// `fast bench-tps`: a load generator against a running node. Funds N accounts from the faucet,
/// signs every transfer before the timed phase, then sends them over UDP to the node's TPU (from
/// getClusterNodes) at the rate the node keeps up with (or a fixed --rate), sampling confirmation
/// latency. Against a node on this machine it also measures the node's sigverify bound first (the
/// `fast bench sigverify` stage on the node's sigverify thread count) and reports
/// tps_vs_sigverify_bound.
/// </summary>
public sealed class BenchTps(BenchTpsOptions options, TextWriter progress)
{
    private const int SampleEvery = 128;
    private const ulong FundingLamports = 50_000_000;

    public async Task<BenchReport> RunAsync(CancellationToken cancel)
    {
        Keypair faucet = Cli.CliArgs.ReadKeypair(options.FaucetPath);
        using RpcClient rpc = new(options.Url);
        (string? tpuText, _, _) = await rpc.GetTpuAsync(cancel).ConfigureAwait(false);
        if (tpuText is null || !IPEndPoint.TryParse(tpuText, out IPEndPoint? tpu)) throw new RpcClientException("the node advertises no TPU address in getClusterNodes");
        bool local = IPAddress.IsLoopback(tpu.Address) || IsLocalHost(options.Url);
        BenchReport report = new("bench-tps");

        // 1. The sigverify bound, measured while the node is idle, with the node's own thread count.
        double bound = double.NaN;
        int sigverifyThreads = 0;
        if (local)
        {
            sigverifyThreads = await NodeSigverifyThreadsAsync(options.Url, cancel).ConfigureAwait(false);
            progress.WriteLine($"bench-tps: measuring this machine's sigverify bound with the node's {sigverifyThreads} sigverify thread(s)...");
            bound = SigverifyBench.MeasureStageRate(sigverifyThreads, 8192, 4);
            progress.WriteLine($"bench-tps: sigverify bound {bound:N0} verifies/s");
        }

        // 2. Fund the accounts.
        var accounts = new Keypair[options.Accounts];
        for (int i = 0; i < accounts.Length; i++) accounts[i] = Keypair.Generate();
        await FundAsync(rpc, faucet, accounts, cancel).ConfigureAwait(false);

        // 3. Sign everything up front, so signing does not compete with the node for cores.
        double expectedRate = options.FixedRate > 0 ? options.FixedRate : double.IsNaN(bound) ? 50_000 : bound;
        int count = (int)Math.Clamp(expectedRate * options.DurationSeconds * 1.3, 10_000, 4_000_000);
        (Hash blockhash, _) = await rpc.GetLatestBlockhashAsync("confirmed", cancel).ConfigureAwait(false);
        progress.WriteLine($"bench-tps: signing {count:N0} transfers among {accounts.Length} accounts...");
        var signing = Stopwatch.StartNew();
        var transfers = PresignedTransfers.Sign(accounts, count, blockhash);
        progress.WriteLine($"bench-tps: signed in {signing.Elapsed.TotalSeconds:0.0} s; sending for {options.DurationSeconds:0} s to {tpu}");

        // 4. The timed phase.
        LatencySamples samples = new();
        ulong countBefore = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
        ulong slotBefore = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        SendState state = new(options.FixedRate > 0 ? options.FixedRate : Math.Max(2000, expectedRate * 0.8));
        var senders = new Thread[Math.Max(1, options.SenderThreads)];
        for (int t = 0; t < senders.Length; t++)
        {
            int id = t;
            senders[t] = new Thread(() => Send(id, senders.Length, tpu, transfers, samples, state, clock)) { Name = $"bench-tps-send-{t}", IsBackground = true };
            senders[t].Start();
        }
        await DriveAsync(rpc, samples, state, clock, cancel).ConfigureAwait(false);
        state.Stop = true;
        foreach (Thread t in senders) t.Join();
        double sendSeconds = clock.Elapsed.TotalSeconds;
        ulong slotAfter = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);

        // 5. Drain: let the last transfers confirm (until the confirmed count stops moving).
        ulong countAfter = await DrainAsync(rpc, samples, cancel).ConfigureAwait(false);
        long sent = Interlocked.Read(ref state.Sent);
        ulong confirmed = countAfter - countBefore;
        double tps = confirmed / sendSeconds;
        double msPerSlot = slotAfter > slotBefore ? sendSeconds * 1000 / (slotAfter - slotBefore) : double.NaN;
        double p99 = samples.Percentile(99);

        report.Result("tps", tps)
              .Result("sent", sent)
              .Result("confirmed", confirmed)
              .Result("dropped", Math.Max(0, sent - (long)confirmed))
              .Result("confirm_ms_p50", samples.Percentile(50))
              .Result("confirm_ms_p90", samples.Percentile(90))
              .Result("confirm_ms_p99", p99)
              .Result("confirm_slots_p99", p99 / msPerSlot)
              .Result("ms_per_slot", msPerSlot)
              .Result("duration_s", sendSeconds)
              .Result("accounts", accounts.Length)
              .Result("latency_samples", samples.Confirmed + samples.Outstanding);
        if (!double.IsNaN(bound))
        {
            report.Reference("sigverify_bound_verifies_per_s", bound).Reference("node_sigverify_threads", sigverifyThreads);
            report.Ratio("tps_vs_sigverify_bound", tps / bound);
        }
        else
        {
            report.Note("remote node: the sigverify bound was not measured, so tps_vs_sigverify_bound is omitted");
        }
        report.Note($"{samples.Outstanding} of {samples.Confirmed + samples.Outstanding} latency samples never confirmed");
        return report;
    }

    private sealed class SendState(double rate)
    {
        public long Sent;
        public double Rate = rate;
        public volatile bool Stop;
        public int Next = -1;
    }

    /// <summary>A sender thread: takes the next batch of pre-signed transfers, paced by a token bucket.</summary>
    private static void Send(int id, int senders, IPEndPoint tpu, PresignedTransfers transfers, LatencySamples samples, SendState state, Stopwatch clock)
    {
        using UdpBatchSender sender = new(tpu);
        double sentAtRate = 0;
        double lastSeconds = clock.Elapsed.TotalSeconds;
        while (!state.Stop)
        {
            double now = clock.Elapsed.TotalSeconds;
            sentAtRate += Volatile.Read(ref state.Rate) / senders * (now - lastSeconds);
            lastSeconds = now;
            sentAtRate = Math.Min(sentAtRate, UdpBatchSender.MaxBatch * 4);
            if (sentAtRate < UdpBatchSender.MaxBatch)
            {
                Thread.Sleep(1);
                continue;
            }
            int first = Interlocked.Add(ref state.Next, UdpBatchSender.MaxBatch) - UdpBatchSender.MaxBatch + 1;
            if (first >= transfers.Count)
            {
                state.Stop = true;
                break;
            }
            int batch = Math.Min(UdpBatchSender.MaxBatch, transfers.Count - first);
            int done = 0;
            while (done < batch)
            {
                int n = sender.Send(transfers.Buffer, transfers.Offsets, transfers.Lengths, first + done, batch - done);
                if (n == 0) Thread.Yield();
                done += n;
            }
            for (int k = first; k < first + batch; k++)
            {
                if (k % SampleEvery == 0) samples.Sent(transfers.Signatures[k]);
            }
            Interlocked.Add(ref state.Sent, batch);
            sentAtRate -= batch;
        }
    }

    /// <summary>
    /// The controller: polls latency samples every 100 ms and, once a second, adapts the send rate to
    /// what the node absorbs — backing off when its stage queues hold more than ~100 ms of work,
    /// climbing while they are empty — and prints progress.
    /// </summary>
    private async Task DriveAsync(RpcClient rpc, LatencySamples samples, SendState state, Stopwatch clock, CancellationToken cancel)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(2) };
        Uri metricsUri = new(new Uri(options.Url), "/metrics");
        ulong lastProcessed = await rpc.GetTransactionCountAsync("processed", cancel).ConfigureAwait(false);
        long lastSent = 0;
        double lastTime = 0;
        while (clock.Elapsed.TotalSeconds < options.DurationSeconds && !state.Stop && !cancel.IsCancellationRequested)
        {
            await Task.Delay(100, cancel).ConfigureAwait(false);
            await samples.PollAsync(rpc, cancel).ConfigureAwait(false);
            double now = clock.Elapsed.TotalSeconds;
            if (now - lastTime < 1) continue;
            ulong processed = await rpc.GetTransactionCountAsync("processed", cancel).ConfigureAwait(false);
            long sent = Interlocked.Read(ref state.Sent);
            double processedRate = (processed - lastProcessed) / (now - lastTime);
            double sentRate = (sent - lastSent) / (now - lastTime);
            double queued = await QueuedAsync(http, metricsUri, cancel).ConfigureAwait(false);
            if (options.FixedRate <= 0)
            {
                // AIMD on the send rate: a multiplicative back-off from the current rate when the node's queues
                // hold more than ~100 ms of work (a stall or overload), a faster climb when they are empty, a probe otherwise.
                double rate = state.Rate;
                if (queued > 0.1 * rate) rate *= 0.8;
                else if (queued < 0.01 * rate && processedRate >= 0.95 * sentRate) rate *= 1.15;
                else if (processedRate >= 0.97 * sentRate) rate *= 1.05;
                state.Rate = Math.Max(1000, rate);
            }
            lastProcessed = processed;
            lastSent = sent;
            lastTime = now;
            progress.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{now,4:0}s] sent {sent,10:N0}  node tps {processedRate,8:N0}  rate {state.Rate,8:N0}/s  queued {queued,7:N0}  confirmed samples {samples.Confirmed,6:N0}  p50 {samples.Percentile(50),6:0} ms   "));
        }
        progress.WriteLine();
    }

    /// <summary>Transactions waiting in the node's stage queues (its /metrics), or 0 when it does not say.</summary>
    private static async Task<double> QueuedAsync(HttpClient http, Uri metrics, CancellationToken cancel)
    {
        try
        {
            string text = await http.GetStringAsync(metrics, cancel).ConfigureAwait(false);
            double queued = 0;
            foreach (string line in text.Split('\n'))
            {
                if (line.StartsWith("fast_queue_depth{", StringComparison.Ordinal)
                    && double.TryParse(line.AsSpan(line.LastIndexOf(' ') + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double depth))
                {
                    queued += depth;
                }
            }
            return queued;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<ulong> DrainAsync(RpcClient rpc, LatencySamples samples, CancellationToken cancel)
    {
        ulong last = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
        var still = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        while (still.Elapsed.TotalSeconds < 3 && total.Elapsed.TotalSeconds < 30)
        {
            await Task.Delay(300, cancel).ConfigureAwait(false);
            await samples.PollAsync(rpc, cancel).ConfigureAwait(false);
            ulong now = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
            if (now != last) still.Restart();
            last = now;
        }
        return last;
    }

    /// <summary>Funds every account from the faucet (up to 20 transfers per transaction) and waits until all are confirmed.</summary>
    private async Task FundAsync(RpcClient rpc, Keypair faucet, Keypair[] accounts, CancellationToken cancel)
    {
        (Hash blockhash, _) = await rpc.GetLatestBlockhashAsync("confirmed", cancel).ConfigureAwait(false);
        Pubkey payer = new(faucet.PublicKey);
        List<Signature> pending = [];
        const int PerTransaction = 20;
        for (int start = 0; start < accounts.Length; start += PerTransaction)
        {
            TransactionBuilder builder = new(payer, blockhash);
            for (int i = start; i < Math.Min(start + PerTransaction, accounts.Length); i++)
            {
                builder.Add(SystemInstruction.Transfer(payer, new Pubkey(accounts[i].PublicKey), FundingLamports));
            }
            pending.Add(await rpc.SendTransactionAsync(builder.Sign(faucet), cancel).ConfigureAwait(false));
        }
        progress.WriteLine($"bench-tps: funding {accounts.Length} accounts with {FundingLamports:N0} lamports each ({pending.Count} transactions)...");
        var clock = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            if (clock.Elapsed.TotalSeconds > 60) throw new RpcClientException($"funding did not confirm within 60 s ({pending.Count} transactions outstanding)");
            await Task.Delay(300, cancel).ConfigureAwait(false);
            List<Signature> still = [];
            for (int start = 0; start < pending.Count; start += 256)
            {
                List<Signature> chunk = pending.GetRange(start, Math.Min(256, pending.Count - start));
                ClientSignatureStatus?[] statuses = await rpc.GetSignatureStatusesAsync(chunk, cancel).ConfigureAwait(false);
                for (int i = 0; i < chunk.Count; i++)
                {
                    if (statuses[i] is { Error: not null } failed) throw new RpcClientException($"funding transaction failed: {failed.Error}");
                    if (statuses[i] is not { ConfirmationStatus: "confirmed" or "finalized" }) still.Add(chunk[i]);
                }
            }
            pending = still;
        }
    }

    /// <summary>The node's sigverify thread count, from its /metrics (gauge fast_sigverify_threads).</summary>
    private static async Task<int> NodeSigverifyThreadsAsync(string url, CancellationToken cancel)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync(new Uri(new Uri(url), "/metrics"), cancel).ConfigureAwait(false);
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith("fast_sigverify_threads ", StringComparison.Ordinal) && double.TryParse(line.AsSpan(23), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            {
                return Math.Max(1, (int)n);
            }
        }
        throw new RpcClientException("the node's /metrics has no fast_sigverify_threads gauge");
    }

    private static bool IsLocalHost(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.IsLoopback || uri.Host == "localhost");
}
