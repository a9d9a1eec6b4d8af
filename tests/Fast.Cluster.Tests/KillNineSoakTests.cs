using System.Diagnostics;
using System.Globalization;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;
using Fast.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Fast.Cluster.Tests;

/// <summary>
/// The crash soak (FAST_SOAK=1): a validator under steady transfer load is killed with -9 about
/// every 10 seconds for 5 minutes (FAST_SOAK_MINUTES to change it). After every restart and at the
/// end, everything the node reported confirmed before a kill must still be there with the same
/// slot and error, no transaction may be in the chain twice, every account's balance must equal
/// what the transactions in the chain imply, and the lamports must add up.
/// </summary>
[Collection("cluster")]
public class KillNineSoakTests(ITestOutputHelper output)
{
    private const int RichAccounts = 256;
    private const int PoorAccounts = 16;
    private const ulong RichFunding = 1_000_000_000;
    private const ulong PoorFunding = 100_000_000;
    private const ulong PoorAsk = 10_000_000_000; // more than a poor account holds: fails, pays the fee
    private const int SendPerSecond = 1500;
    private const int CycleSeconds = 10;
    private const int FailEvery = 64; // one transfer in 64 is a failing one

    /// <summary>One signed transfer of the soak and what it would do if it executes.</summary>
    private sealed record Transfer(byte[] Bytes, Signature Signature, int From, int To, ulong Lamports, bool Fails);

    [SoakFact]
    public async Task Kill_9_every_10_seconds_under_load_loses_no_confirmed_transaction_and_executes_none_twice()
    {
        double minutes = double.TryParse(Environment.GetEnvironmentVariable("FAST_SOAK_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out double m) ? m : 5;
        using SingleValidator node = new("kill-9-soak");
        await node.StartAsync();
        Keypair[] accounts = [.. Enumerable.Range(0, RichAccounts + PoorAccounts).Select(_ => Keypair.Generate())];
        await FundAsync(node, accounts);
        ulong lamportsPerSignature = node.Bundle.Config.LamportsPerSignature;
        ulong firstSlot = await node.Rpc.GetSlotAsync("confirmed");

        Dictionary<Signature, Transfer> sent = [];
        Dictionary<Signature, ClientSignatureStatus> confirmed = [];
        List<int> confirmedPerCycle = [];
        List<double> restartSeconds = [];
        var soak = Stopwatch.StartNew();
        long serial = 0;
        while (soak.Elapsed.TotalMinutes < minutes)
        {
            (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
            List<Transfer> cycle = Sign(accounts, blockhash, SendPerSecond * CycleSeconds, ref serial);
            foreach (Transfer t in cycle) sent.Add(t.Signature, t);
            using (CancellationTokenSource stop = new(TimeSpan.FromSeconds(CycleSeconds)))
            {
                await Load.SendAsync(node, [.. cycle.Select(t => (t.Bytes, t.Signature))], SendPerSecond, stop.Token);
            }

            // What the node says right before it dies is what it must say after.
            Dictionary<Signature, ClientSignatureStatus> before = await ConfirmedAsync(node, [.. cycle.Select(t => t.Signature)]);
            node.Process.KillHard();
            confirmedPerCycle.Add(before.Count);
            foreach ((Signature s, ClientSignatureStatus status) in before) confirmed[s] = status;

            var restart = Stopwatch.StartNew();
            await node.StartAsync();
            restartSeconds.Add(restart.Elapsed.TotalSeconds);
            await AssertStatusesKeptAsync(node, before);

            // The killed cycle sent again, byte for byte: what landed must not land twice.
            await Load.SendAsync(node, [.. cycle.Select(t => (t.Bytes, t.Signature))], SendPerSecond * 4, CancellationToken.None);
            output.WriteLine($"cycle {confirmedPerCycle.Count}: {before.Count} confirmed before the kill, restart took {restart.Elapsed.TotalSeconds:F1} s");
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // the re-sent tail settles
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
        await node.StartAsync();
        // Statuses stay findable by signature until their slot is rooted and their blockhash expired (150 slots).
        ulong root = await node.Rpc.GetSlotAsync("finalized");
        await AssertStatusesKeptAsync(node, confirmed, releasedBelowSlot: root > 150 ? root - 150 : 0);

        Dictionary<Signature, int> inChain = await Load.CountSignaturesInBlocksAsync(node, firstSlot);
        List<Signature> twice = [.. inChain.Where(p => p.Value > 1).Select(p => p.Key)];
        Assert.True(twice.Count == 0, $"{twice.Count} transactions are in the chain more than once");
        List<Signature> lost = [.. confirmed.Keys.Where(s => !inChain.ContainsKey(s))];
        Assert.True(lost.Count == 0, $"{lost.Count} of {confirmed.Count} confirmed transactions are missing from the chain");

        // Every balance is what the chain's transactions imply: nothing executed twice or half.
        ulong[] expected = ExpectedBalances(accounts.Length, inChain.Keys.Where(sent.ContainsKey).Select(s => sent[s]), lamportsPerSignature);
        ulong[] actual = await BalancesAsync(node, accounts);
        for (int i = 0; i < accounts.Length; i++) Assert.True(expected[i] == actual[i], $"account {i}: expected {expected[i]} lamports, the node has {actual[i]}");
        Assert.Equal(node.Bundle.Config.TotalLamports, await TotalLamportsAsync(node, accounts));

        int minimum = confirmedPerCycle.Min();
        output.WriteLine($"soak: {confirmedPerCycle.Count} kill -9 cycles in {soak.Elapsed.TotalMinutes:F1} min, {confirmed.Count} confirmed " +
            $"(min {minimum} per cycle), {inChain.Count} in the chain, restart {restartSeconds.Average():F1} s mean / {restartSeconds.Max():F1} s max; " +
            "0 lost, 0 executed twice, lamports conserved");
        Assert.True(minimum >= 1000, $"a cycle confirmed only {minimum} transfers before its kill (at least 1,000 wanted)");
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static async Task FundAsync(SingleValidator node, Keypair[] accounts)
    {
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        Pubkey faucet = new(node.Faucet.PublicKey);
        List<Signature> pending = [];
        for (int start = 0; start < accounts.Length; start += 20)
        {
            TransactionBuilder builder = new(faucet, blockhash);
            for (int i = start; i < Math.Min(start + 20, accounts.Length); i++)
            {
                builder.Add(SystemInstruction.Transfer(faucet, new Pubkey(accounts[i].PublicKey), i < RichAccounts ? RichFunding : PoorFunding));
            }
            pending.Add(await node.Rpc.SendTransactionAsync(builder.Sign(node.Faucet)));
        }
        var clock = Stopwatch.StartNew();
        while ((await ConfirmedAsync(node, pending)).Count < pending.Count)
        {
            if (clock.Elapsed.TotalSeconds > 60) throw new TimeoutException("funding did not confirm");
            await Task.Delay(200);
        }
    }

    /// <summary>Transfers among the rich accounts (each with a distinct amount), one in <see cref="FailEvery"/> from a poor account asking too much.</summary>
    private static List<Transfer> Sign(Keypair[] accounts, Hash blockhash, int count, ref long serial)
    {
        List<Transfer> transfers = new(count);
        byte[] buffer = new byte[TransactionLimits.MaxTransactionSize];
        for (int k = 0; k < count; k++, serial++)
        {
            bool fails = serial % FailEvery == 0;
            int from = fails ? RichAccounts + (int)(serial / FailEvery % PoorAccounts) : (int)(serial % RichAccounts);
            int to = (int)((serial + RichAccounts / 2) % RichAccounts);
            ulong lamports = fails ? PoorAsk + (ulong)serial : 1 + (ulong)(serial / RichAccounts);
            int length = SystemTransaction.WriteTransfer(buffer, accounts[from], new Pubkey(accounts[to].PublicKey), lamports, blockhash);
            byte[] tx = buffer[..length];
            TransactionView.TryParse(tx, out TransactionView view);
            transfers.Add(new Transfer(tx, view.FirstSignature, from, to, lamports, fails));
        }
        return transfers;
    }

    private static async Task<Dictionary<Signature, ClientSignatureStatus>> ConfirmedAsync(SingleValidator node, IReadOnlyList<Signature> signatures)
    {
        Dictionary<Signature, ClientSignatureStatus> confirmed = [];
        foreach (Signature[] chunk in signatures.Chunk(256))
        {
            ClientSignatureStatus?[] statuses = await node.Rpc.GetSignatureStatusesAsync(chunk);
            for (int i = 0; i < chunk.Length; i++)
            {
                if (statuses[i] is { ConfirmationStatus: "confirmed" or "finalized" } status) confirmed[chunk[i]] = status;
            }
        }
        return confirmed;
    }

    /// <summary>
    /// Every status reported confirmed before is reported again, in the same slot with the same error
    /// (one from a slot below <paramref name="releasedBelowSlot"/> may have left the recent-status index).
    /// </summary>
    private static async Task AssertStatusesKeptAsync(SingleValidator node, Dictionary<Signature, ClientSignatureStatus> before, ulong releasedBelowSlot = 0)
    {
        List<Signature> signatures = [.. before.Keys];
        Dictionary<Signature, ClientSignatureStatus> after = await ConfirmedAsync(node, signatures);
        List<string> differences = [];
        foreach (Signature s in signatures)
        {
            ClientSignatureStatus was = before[s];
            if (!after.TryGetValue(s, out ClientSignatureStatus? now))
            {
                if (was.Slot >= releasedBelowSlot) differences.Add($"{s}: confirmed in slot {was.Slot} before, not confirmed now");
            }
            else if (now.Slot != was.Slot || now.Error != was.Error)
            {
                differences.Add($"{s}: slot {was.Slot} error {was.Error ?? "none"} before, slot {now.Slot} error {now.Error ?? "none"} now");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} of {signatures.Count} statuses changed across the restart, e.g. {string.Join("; ", differences.Take(3))}");
    }

    private static ulong[] ExpectedBalances(int accounts, IEnumerable<Transfer> executed, ulong lamportsPerSignature)
    {
        ulong[] balances = new ulong[accounts];
        for (int i = 0; i < accounts; i++) balances[i] = i < RichAccounts ? RichFunding : PoorFunding;
        foreach (Transfer t in executed)
        {
            balances[t.From] = checked(balances[t.From] - lamportsPerSignature);
            if (t.Fails) continue;
            balances[t.From] = checked(balances[t.From] - t.Lamports);
            balances[t.To] = checked(balances[t.To] + t.Lamports);
        }
        return balances;
    }

    private static async Task<ulong[]> BalancesAsync(SingleValidator node, Keypair[] accounts)
    {
        ulong[] balances = new ulong[accounts.Length];
        for (int i = 0; i < accounts.Length; i++) balances[i] = await node.Rpc.GetBalanceAsync(new Pubkey(accounts[i].PublicKey));
        return balances;
    }

    private static async Task<ulong> TotalLamportsAsync(SingleValidator node, Keypair[] accounts)
    {
        ulong total = await node.Rpc.GetBalanceAsync(new Pubkey(node.Faucet.PublicKey));
        total = checked(total + await node.Rpc.GetBalanceAsync(new Pubkey(node.Bundle.Validators[0].Identity.PublicKey)));
        foreach (ulong b in await BalancesAsync(node, accounts)) total = checked(total + b);
        return total;
    }
}
