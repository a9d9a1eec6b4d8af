using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Net.Send;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>bench-tps's timed phase: the sender threads, and the controller that paces them, refreshes the blockhash and samples the node.</summary>
public sealed partial class BenchTps
{
    /// <summary>
    /// A validator more than this many slots behind the highest processed slot is counted
    /// (seconds_a_validator_trailed_by_more_than_2_slots; issue 11 wants every node within 2 slots of the tip).
    /// Counted, not acted on: backing the rate off on it (tried, 4 validators, 300 s) halved the TPS
    /// (6,957 to 3,438–3,706) and left the lag about as frequent (148–150 of 154 samples within 2
    /// slots against 129 of 153), so the lag is not the load's doing alone.
    /// </summary>
    internal const double MaxReplayLagSlots = 2;

    /// <summary>Shared by the sender threads and the controller: the send rate, counters, the stop flag.</summary>
    private sealed class SendState(double rate, double maxRate, bool segmentation)
    {
        public readonly bool Segmentation = segmentation; // equal-length batches as one UDP_SEGMENT send (UdpBatchSender)
        public long SegmentedSends;
        public long SegmentationRefused; // sockets whose kernel refused UDP_SEGMENT (they fell back to sendmmsg)
        public long SecondsTrailing; // controller seconds a validator trailed by more than MaxReplayLagSlots (controller only)
        public long Sent;
        public long SentTwice; // transfers sent to two leaders (the last slot of a leader's turn)
        public long WaitedTicks;
        public double Rate = rate;
        public readonly double MaxRate = maxRate;
        public volatile bool Stop;
    }

    /// <summary>
    /// A sender thread: takes the next signed window from the signer and sends it in batches of 64
    /// (one UDP segmentation offload send each, or one sendmmsg) paced by a token bucket to the scheduled leader of the slot (and the next one when
    /// another validator leads it: <see cref="LeaderTpus"/>), checking before each batch that the
    /// window's blockhash is still within the margin (a stale window is discarded unsent).
    /// </summary>
    private static void Send(int senders, LeaderTpus leaders, SlotClock slots, RollingSigner signer, LatencySamples samples, SendState state, Stopwatch clock)
    {
        Dictionary<IPEndPoint, UdpBatchSender> sockets = [];
        try
        {
            SendLoop(senders, leaders, slots, sockets, signer, samples, state, clock);
        }
        finally
        {
            foreach (UdpBatchSender socket in sockets.Values)
            {
                Interlocked.Add(ref state.SegmentedSends, socket.SegmentedSends);
                if (state.Segmentation && !socket.Segmentation) Interlocked.Increment(ref state.SegmentationRefused);
                socket.Dispose();
            }
        }
    }

    private static void SendLoop(int senders, LeaderTpus leaders, SlotClock slots, Dictionary<IPEndPoint, UdpBatchSender> sockets,
        RollingSigner signer, LatencySamples samples, SendState state, Stopwatch clock)
    {
        var targets = new IPEndPoint[2];
        TransferWindow? window = null;
        double tokens = 0;
        double lastSeconds = clock.Elapsed.TotalSeconds;
        while (!state.Stop)
        {
            double now = clock.Elapsed.TotalSeconds;
            tokens = Math.Min(tokens + Volatile.Read(ref state.Rate) / senders * (now - lastSeconds), UdpBatchSender.MaxBatch * 4);
            lastSeconds = now;
            if (tokens < UdpBatchSender.MaxBatch)
            {
                Thread.Sleep(1);
                continue;
            }
            if (window is not null && window.Position >= window.Capacity)
            {
                signer.Return(window);
                window = null;
            }
            if (window is null && !signer.TryTake(out window))
            {
                long waitStart = Stopwatch.GetTimestamp();
                Thread.Sleep(1);
                Interlocked.Add(ref state.WaitedTicks, Stopwatch.GetTimestamp() - waitStart);
                continue;
            }
            if (!signer.IsFresh(window.BlockhashSlot))
            {
                signer.Discard(window);
                window = null;
                continue;
            }
            int first = window.Position;
            int batch = Math.Min(UdpBatchSender.MaxBatch, window.Capacity - first);
            int destinations = leaders.Targets(slots.Estimate(Stopwatch.GetTimestamp()), targets);
            for (int d = 0; d < destinations; d++)
            {
                if (!sockets.TryGetValue(targets[d], out UdpBatchSender? sender)) sockets[targets[d]] = sender = new UdpBatchSender(targets[d], segmentation: state.Segmentation);
                int done = 0;
                while (done < batch)
                {
                    int n = sender.Send(window.Buffer, window.Offsets, window.Lengths, first + done, batch - done);
                    if (n == 0) Thread.Yield();
                    done += n;
                }
            }
            if (destinations > 1) Interlocked.Add(ref state.SentTwice, batch);
            long sentAt = Stopwatch.GetTimestamp();
            for (int i = first; i < first + batch; i++)
            {
                if ((window.FirstIndex + i) % SampleEvery == 0) samples.Sent(window.Signatures[i], sentAt);
            }
            window.Position = first + batch;
            Interlocked.Add(ref state.Sent, batch);
            tokens -= batch;
        }
        if (window is not null) signer.Return(window);
    }

    /// <summary>Seconds between reads of the leader schedule and the validators' TPUs.</summary>
    private const double LeaderRefreshSeconds = 10;

    /// <summary>Reads the leaders' TPUs again; a node that does not answer keeps the last ones (the next refresh tries again).</summary>
    private static async Task RefreshLeadersAsync(RpcClient rpc, LeaderTpus leaders, CancellationToken cancel)
    {
        try
        {
            await leaders.RefreshAsync(rpc, cancel).ConfigureAwait(false);
        }
        catch (RpcClientException)
        {
        }
    }

    /// <summary>
    /// The controller: polls latency samples every 100 ms and, once a second, refreshes the
    /// blockhash and the slot clock from the node, samples its /metrics (queues, resident memory),
    /// adapts the send rate to what the node absorbs — backing off when its stage queues (sending to
    /// leaders: also the fullest sigverify queue of any validator) hold more than ~100 ms of work,
    /// climbing while they are empty — counts the seconds a validator's processed slot trailed the
    /// highest by more than <see cref="MaxReplayLagSlots"/>, and prints progress.
    /// </summary>
    private async Task DriveAsync(RpcClient rpc, NodeMetricsReader metrics, RollingSigner signer, SlotClock slots, LeaderTpus leaders, LatencySamples samples,
        ResidentMemoryTrack rss, SendState state, Stopwatch clock, CancellationToken cancel)
    {
        using ClusterQueues clusterQueues = new();
        double leadersRefreshed = 0;
        ulong lastProcessed = await rpc.GetTransactionCountAsync("processed", cancel).ConfigureAwait(false);
        long lastSent = 0;
        double lastTime = 0;
        while (clock.Elapsed.TotalSeconds < options.DurationSeconds && !state.Stop && !cancel.IsCancellationRequested)
        {
            await Task.Delay(100, cancel).ConfigureAwait(false);
            await samples.PollAsync(rpc, cancel).ConfigureAwait(false);
            double now = clock.Elapsed.TotalSeconds;
            if (now - lastTime < 1) continue;
            await RefreshBlockhashAsync(rpc, slots, signer, cancel).ConfigureAwait(false);
            if (options.SendToLeaders && (now - leadersRefreshed >= LeaderRefreshSeconds || slots.Estimate(Stopwatch.GetTimestamp()) + 8 > leaders.KnownUntil))
            {
                await RefreshLeadersAsync(rpc, leaders, cancel).ConfigureAwait(false); // new peers' TPUs, the next epoch's schedule
                leadersRefreshed = now;
            }
            ulong processed = await rpc.GetTransactionCountAsync("processed", cancel).ConfigureAwait(false);
            long sent = Interlocked.Read(ref state.Sent);
            double processedRate = (processed - lastProcessed) / (now - lastTime);
            double sentRate = (sent - lastSent) / (now - lastTime);
            NodeMetrics? node = await metrics.ReadAsync(cancel).ConfigureAwait(false);
            double queued = node?.Queued ?? 0;
            double slotSpread = 0;
            if (options.SendToLeaders)
            {
                (double maxSigverifyQueued, slotSpread) = await clusterQueues.ScrapeAsync(leaders.RpcUrls, cancel).ConfigureAwait(false);
                queued = Math.Max(queued, maxSigverifyQueued);
                if (slotSpread > MaxReplayLagSlots) state.SecondsTrailing++;
            }
            rss.Add(node?.ResidentBytes ?? double.NaN);
            if (options.FixedRate <= 0)
            {
                // AIMD on the send rate: a multiplicative back-off from the current rate when the node's queues
                // hold more than ~100 ms of its work (at the rate it processed this last second, not the rate we send:
                // an overloaded node processes less than it is sent), a faster climb when they are empty, a probe otherwise.
                // The back-off is 10 %: at 20 % the rate spent much of a run well below what the node keeps up with
                // (measured: 31–44 k/s swings around a node doing 38 k), and the queues drain at 10 % too.
                double rate = state.Rate;
                double work = Math.Max(processedRate, 1000);
                if (queued > 0.1 * work) rate *= 0.9;
                else if (queued < 0.01 * work && processedRate >= 0.95 * sentRate) rate *= 1.15;
                else if (processedRate >= 0.97 * sentRate) rate *= 1.05;
                Volatile.Write(ref state.Rate, Math.Clamp(rate, 1000, state.MaxRate));
            }
            signer.SetLead(state.Rate * LeadSeconds);
            lastProcessed = processed;
            lastSent = sent;
            lastTime = now;
            progress.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{now,4:0}s] sent {sent,10:N0}  node tps {processedRate,8:N0}  rate {state.Rate,8:N0}/s  queued {queued,7:N0}  node rss {rss.End / (1 << 20),6:N0} MB  p50 {samples.Percentile(50),6:0} ms   "));
        }
        progress.WriteLine();
    }

    /// <summary>
    /// Fetches the node's newest confirmed blockhash (getLatestBlockhash, with the slot it names) and
    /// its processed slot, and hands them to the signer and the slot clock; false when the node did
    /// not answer (the signer keeps the old blockhash, and the margin still guards what is sent).
    /// </summary>
    private static async Task<bool> RefreshBlockhashAsync(RpcClient rpc, SlotClock slots, RollingSigner signer, CancellationToken cancel)
    {
        try
        {
            JsonElement result = await rpc.CallAsync("getLatestBlockhash", w =>
            {
                w.WriteStartObject();
                w.WriteString("commitment", "confirmed");
                w.WriteEndObject();
            }, cancel).ConfigureAwait(false);
            ulong blockhashSlot = result.GetProperty("context").GetProperty("slot").GetUInt64();
            if (!Hash.TryParse(result.GetProperty("value").GetProperty("blockhash").GetString(), out Hash blockhash)) return false;
            ulong processed = await rpc.GetSlotAsync("processed", cancel).ConfigureAwait(false);
            slots.Observe(Math.Max(processed, blockhashSlot), Stopwatch.GetTimestamp());
            signer.SetBlockhash(blockhash, blockhashSlot);
            return true;
        }
        catch (Exception e) when (e is RpcClientException or HttpRequestException or KeyNotFoundException or InvalidOperationException
                                  || (e is TaskCanceledException && !cancel.IsCancellationRequested))
        {
            return false;
        }
    }

    private static async Task<ulong> DrainAsync(RpcClient rpc, NodeMetricsReader metrics, LatencySamples samples, ResidentMemoryTrack rss, CancellationToken cancel)
    {
        ulong last = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
        var still = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        var sampled = Stopwatch.StartNew();
        while (still.Elapsed.TotalSeconds < 3 && total.Elapsed.TotalSeconds < 30)
        {
            await Task.Delay(300, cancel).ConfigureAwait(false);
            await samples.PollAsync(rpc, cancel).ConfigureAwait(false);
            ulong now = await rpc.GetTransactionCountAsync("confirmed", cancel).ConfigureAwait(false);
            if (now != last) still.Restart();
            last = now;
            if (sampled.Elapsed.TotalSeconds >= 1)
            {
                rss.Add((await metrics.ReadAsync(cancel).ConfigureAwait(false))?.ResidentBytes ?? double.NaN);
                sampled.Restart();
            }
        }
        return last;
    }
}
