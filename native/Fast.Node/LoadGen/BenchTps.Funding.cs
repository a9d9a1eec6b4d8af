using System.Diagnostics;
using System.Globalization;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;

namespace Fast.Node.LoadGen;

/// <summary>bench-tps's set-up: funding the test accounts from the faucet, and the node's sigverify thread count.</summary>
public sealed partial class BenchTps
{
    /// <summary>Funds every account from the faucet (up to 20 transfers per transaction) and waits until all are confirmed.</summary>
    private async Task FundAsync(RpcClient rpc, Keypair faucet, Keypair[] accounts, ulong lamports, CancellationToken cancel)
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
                builder.Add(SystemInstruction.Transfer(payer, new Pubkey(accounts[i].PublicKey), lamports));
            }
            pending.Add(await rpc.SendTransactionAsync(builder.Sign(faucet), cancel).ConfigureAwait(false));
        }
        progress.WriteLine($"bench-tps: funding {accounts.Length} accounts with {lamports:N0} lamports each ({pending.Count} transactions)...");
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

    /// <summary>
    /// The node's sigverify thread count (gauge fast_sigverify_threads) and the cores it keeps for
    /// them alone (gauges fast_dedicated_core{core="N",...}, from --sigverify-cores), from its /metrics.
    /// </summary>
    private static async Task<(int Threads, int[] DedicatedCores)> NodeSigverifyAsync(string url, CancellationToken cancel)
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync(new Uri(new Uri(url), "/metrics"), cancel).ConfigureAwait(false);
        int threads = 0;
        List<int> dedicated = [];
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith("fast_sigverify_threads ", StringComparison.Ordinal) && double.TryParse(line.AsSpan(23), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            {
                threads = Math.Max(1, (int)n);
            }
            else if (DedicatedCore(line) is int core)
            {
                dedicated.Add(core);
            }
        }
        if (threads == 0) throw new RpcClientException("the node's /metrics has no fast_sigverify_threads gauge");
        return (threads, [.. dedicated]);
    }

    /// <summary>N of a `fast_dedicated_core{core="N",...} 1` line, else null.</summary>
    internal static int? DedicatedCore(string line)
    {
        const string Prefix = "fast_dedicated_core{core=\"";
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        int end = line.IndexOf('"', Prefix.Length);
        return end > Prefix.Length && int.TryParse(line.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int core) ? core : null;
    }
}
