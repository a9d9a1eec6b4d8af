using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// Block space is never free and account data costs rent, on a real node: what the leader records
/// always paid its fee, and creating an account below the rent-exempt minimum fails with a typed
/// error (docs/block-validity.md).
/// </summary>
[Collection("cluster")]
public class BlockSpaceTests
{
    private static readonly Pubkey SomeProgram = new(Hash.Compute("some program"u8).Span);

    [Fact]
    public async Task A_payer_assigned_to_another_program_sends_ten_thousand_transactions_and_none_is_recorded()
    {
        using SingleValidator node = new("assigned-payer-test");
        await node.StartAsync();
        Load load = new(node, 2);
        await load.FundAsync(10_000_000);
        Keypair payer = load.Accounts[0];
        Pubkey payerKey = new(payer.PublicKey), recipient = new(load.Accounts[1].PublicKey);

        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        TransactionBuilder assign = new(payerKey, blockhash);
        assign.Add(SystemInstruction.Assign(payerKey, SomeProgram));
        await load.WaitConfirmedAsync([await node.Rpc.SendTransactionAsync(assign.Sign(payer))], 60);
        ulong balance = await node.Rpc.GetBalanceAsync(payerKey, "confirmed");
        ulong fromSlot = await node.Rpc.GetSlotAsync("confirmed") + 1;

        // The payer still has 9,995,000 lamports (enough for ~2,000 fees), but it is no longer a system account.
        (blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> transfers = [.. Enumerable.Range(0, 10_000).Select(k => Signed(payer, recipient, 1 + (ulong)k, blockhash))];
        using (CancellationTokenSource none = new()) await Load.SendAsync(node, transfers, 5000, none.Token);
        await node.WaitForSlotAsync(await node.Rpc.GetSlotAsync("processed") + 4);

        HashSet<Signature> inBlocks = await load.SignaturesInBlocksAsync(fromSlot);
        int recorded = transfers.Count(t => inBlocks.Contains(t.Signature));
        Assert.True(recorded == 0, $"{recorded} of 10,000 transactions from a payer that cannot pay were recorded in blocks");
        Assert.Equal(balance, await node.Rpc.GetBalanceAsync(payerKey, "confirmed")); // none paid a fee: none could
        string metrics = await Metrics(node);
        Assert.Equal(0, Counter(metrics, "fast_banking_not_committed_total"));
        Assert.True(Counter(metrics, "fast_dropped_total{stage=\"banking\",reason=\"fee_payer\"}") >= 5_000, metrics); // UDP may lose some; most reach banking
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Transactions_from_a_payer_that_drained_itself_earlier_in_the_same_burst_are_not_recorded()
    {
        using SingleValidator node = new("drained-payer-test");
        await node.StartAsync();
        Load load = new(node, 2);
        await load.FundAsync(10_000_000);
        Keypair payer = load.Accounts[0];
        Pubkey payerKey = new(payer.PublicKey), recipient = new(load.Accounts[1].PublicKey);
        ulong fromSlot = await node.Rpc.GetSlotAsync("confirmed") + 1;

        // First: give away everything but the fee. Then 300 transfers that would each be fine alone, sent in the same burst.
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        List<(byte[] Bytes, Signature Signature)> burst = [Signed(payer, recipient, 10_000_000 - 5000, blockhash)];
        burst.AddRange(Enumerable.Range(0, 300).Select(k => Signed(payer, recipient, 1_000_000 + (ulong)k, blockhash)));
        using (CancellationTokenSource none = new()) await Load.SendAsync(node, burst, 1_000_000, none.Token);
        await node.WaitForSlotAsync(await node.Rpc.GetSlotAsync("processed") + 4);

        // Whatever was recorded paid: every recorded signature has a committed status, and lamports add up.
        HashSet<Signature> inBlocks = await load.SignaturesInBlocksAsync(fromSlot);
        Signature[] recorded = [.. burst.Select(t => t.Signature).Where(inBlocks.Contains)];
        Assert.NotEmpty(recorded);
        ClientSignatureStatus?[] statuses = await node.Rpc.GetSignatureStatusesAsync(recorded);
        int unpaid = statuses.Count(s => s is null);
        Assert.True(unpaid == 0, $"{unpaid} of {recorded.Length} recorded transactions from the drained payer did not pay their fee");
        Assert.Equal(0, Counter(await Metrics(node), "fast_banking_not_committed_total"));
        Assert.Equal(node.Bundle.Config.TotalLamports, await load.TotalLamportsAsync());
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_transfer_creating_an_account_below_the_rent_exempt_minimum_fails_with_a_typed_error_and_costs_only_the_fee()
    {
        using SingleValidator node = new("rent-test");
        await node.StartAsync();
        JsonElement minimum = await node.Rpc.CallAsync("getMinimumBalanceForRentExemption", w => w.WriteNumberValue(0));
        Assert.Equal(890_880UL, minimum.GetUInt64());
        JsonElement minimum100 = await node.Rpc.CallAsync("getMinimumBalanceForRentExemption", w => w.WriteNumberValue(100));
        Assert.Equal((128UL + 100) * 6960, minimum100.GetUInt64());

        Load load = new(node, 1);
        await load.FundAsync(10_000_000);
        Keypair sender = load.Accounts[0];
        Pubkey fresh = new(Keypair.Generate().PublicKey);
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        (byte[] small, Signature signature) = Signed(sender, fresh, 890_879, blockhash);
        await node.Rpc.SendTransactionAsync(small);
        await load.WaitConfirmedAsync([signature], 60);

        ClientSignatureStatus? status = (await node.Rpc.GetSignatureStatusesAsync([signature]))[0];
        Assert.NotNull(status);
        Assert.Contains("InsufficientFundsForRent", status!.Error ?? "ok");
        Assert.Equal(0UL, await node.Rpc.GetBalanceAsync(fresh, "confirmed"));
        Assert.Equal(10_000_000UL - 5000, await node.Rpc.GetBalanceAsync(new Pubkey(sender.PublicKey), "confirmed"));
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static (byte[] Bytes, Signature Signature) Signed(Keypair from, Pubkey to, ulong lamports, Hash blockhash)
    {
        byte[] tx = new byte[TransactionLimits.MaxTransactionSize];
        int length = SystemTransaction.WriteTransfer(tx, from, to, lamports, blockhash);
        Array.Resize(ref tx, length);
        TransactionView.TryParse(tx, out TransactionView view);
        return (tx, view.FirstSignature);
    }

    private static async Task<string> Metrics(SingleValidator node)
    {
        using HttpClient http = new();
        return await http.GetStringAsync($"{node.Url}/metrics");
    }

    private static double Counter(string metrics, string name)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
