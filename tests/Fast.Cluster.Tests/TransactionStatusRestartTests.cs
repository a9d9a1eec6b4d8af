using System.Diagnostics;
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
/// Transaction statuses across restarts of a real `fast validator`: a failed transfer keeps its
/// error, fee and balances in getSignatureStatuses, getTransaction and `fast tx` after a clean stop
/// and after kill -9 (both for a slot restored from the ledger's status records and for one that is
/// replayed), and a transaction that was recorded but never committed is never reported.
/// </summary>
[Collection("cluster")]
public class TransactionStatusRestartTests
{
    private const ulong Funded = 1_000_000;
    private const ulong Fee = 5_000;

    /// <summary>Solana's err for a transfer past the balance (SystemError::ResultWithNegativeLamports).</summary>
    private const string InsufficientFunds = """{"InstructionError":[0,{"Custom":1}]}""";

    [Fact]
    public async Task A_failing_transfer_keeps_its_error_fee_and_balances_after_a_clean_restart_and_a_kill_9_restart()
    {
        // Root two slots behind and checkpoint at every root, so the failed transfer's slot is below the
        // recovered checkpoint (restored from the ledger, not replayed) by the time the node restarts.
        using SingleValidator node = new("status-restart-test", "--checkpoint-interval-slots", "1", "--root-distance", "2");
        await node.StartAsync();
        Keypair alice = Keypair.Generate(), bob = Keypair.Generate(), carol = Keypair.Generate();
        Pubkey alicePk = new(alice.PublicKey), bobPk = new(bob.PublicKey), carolPk = new(carol.PublicKey);
        await FundAsync(node, alicePk, carolPk);

        // Alice has 1,000,000 lamports and tries to send 5,000,000: the transfer fails, she pays the fee.
        Signature failed = await SendAndConfirmAsync(node, alice, SystemInstruction.Transfer(alicePk, bobPk, 5 * Funded));
        Snapshot before = await SnapshotAsync(node, failed);
        Assert.Equal(InsufficientFunds, before.Error);
        Assert.Equal(Fee, before.Fee);
        Assert.Equal([Funded, 0UL], before.PreBalances.Take(2));
        Assert.Equal([Funded - Fee, 0UL], before.PostBalances.Take(2));
        Assert.Contains("status:       failed: " + InsufficientFunds, before.CliText);
        Assert.Contains($"{alicePk}  {Funded} -> {Funded - Fee}", before.CliText);

        // Carol hands her account to another program, then sends a transfer she can no longer pay for:
        // it is recorded in a block (its payer has the lamports) but never committed.
        await SendAndConfirmAsync(node, carol, SystemInstruction.Assign(carolPk, new Pubkey(bob.PublicKey)));
        Signature uncommitted = await SendAsync(node, carol, SystemInstruction.Transfer(carolPk, bobPk, 10));
        ulong sentAt = await node.Rpc.GetSlotAsync("confirmed");
        await node.WaitForSlotAsync(sentAt + 6, "finalized");
        Assert.Null((await node.Rpc.GetSignatureStatusesAsync([uncommitted]))[0]);

        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
        await node.StartAsync();
        AssertSameStatus(before, await SnapshotAsync(node, failed), "after a clean restart");
        Assert.Null((await node.Rpc.GetSignatureStatusesAsync([uncommitted]))[0]);

        // A second failure lands after the restart; kill -9 once it is confirmed, so its slot is replayed
        // while the first one's is restored from the ledger's status records.
        Signature failedAgain = await SendAndConfirmAsync(node, alice, SystemInstruction.Transfer(alicePk, bobPk, 7 * Funded));
        Snapshot againBefore = await SnapshotAsync(node, failedAgain);
        Assert.Equal(InsufficientFunds, againBefore.Error);
        Assert.Equal([Funded - Fee, 0UL], againBefore.PreBalances.Take(2));
        Assert.Equal([Funded - 2 * Fee, 0UL], againBefore.PostBalances.Take(2));
        node.Process.KillHard();

        await node.StartAsync();
        AssertSameStatus(before, await SnapshotAsync(node, failed), "after a kill -9 restart (restored slot)");
        AssertSameStatus(againBefore, await SnapshotAsync(node, failedAgain), "after a kill -9 restart (replayed slot)");
        Assert.Null((await node.Rpc.GetSignatureStatusesAsync([uncommitted]))[0]);
        Assert.Equal(Funded - 2 * Fee, await node.Rpc.GetBalanceAsync(alicePk));
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    /// <summary>What the node says about one transaction: RPC's status and meta, and `fast tx`'s text.</summary>
    private sealed record Snapshot(ulong Slot, string? Error, string? StatusError, ulong Fee, ulong[] PreBalances, ulong[] PostBalances, string CliText);

    private static void AssertSameStatus(Snapshot expected, Snapshot actual, string when)
    {
        Assert.True(expected.Slot == actual.Slot, $"slot {actual.Slot} {when}, was {expected.Slot}");
        Assert.True(expected.Error == actual.Error, $"getTransaction err {actual.Error ?? "null"} {when}, was {expected.Error ?? "null"}");
        Assert.True(expected.StatusError == actual.StatusError, $"getSignatureStatuses err {actual.StatusError ?? "null"} {when}, was {expected.StatusError ?? "null"}");
        Assert.True(expected.Fee == actual.Fee, $"fee {actual.Fee} {when}, was {expected.Fee}");
        Assert.True(expected.PreBalances.SequenceEqual(actual.PreBalances), $"preBalances [{string.Join(",", actual.PreBalances)}] {when}, were [{string.Join(",", expected.PreBalances)}]");
        Assert.True(expected.PostBalances.SequenceEqual(actual.PostBalances), $"postBalances [{string.Join(",", actual.PostBalances)}] {when}, were [{string.Join(",", expected.PostBalances)}]");
        Assert.Equal(StableLines(expected.CliText), StableLines(actual.CliText));
    }

    /// <summary>`fast tx` lines that must not change (the commitment line may move from confirmed to finalized).</summary>
    private static string[] StableLines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).Where(l => !l.StartsWith("commitment:", StringComparison.Ordinal))];

    private static async Task<Snapshot> SnapshotAsync(SingleValidator node, Signature signature)
    {
        ClientSignatureStatus? status = (await node.Rpc.GetSignatureStatusesAsync([signature]))[0];
        Assert.True(status is not null, $"getSignatureStatuses does not know {signature}");
        JsonElement record = await node.Rpc.CallAsync("getTransaction", w =>
        {
            w.WriteStringValue(signature.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteEndObject();
        });
        Assert.True(record.ValueKind == JsonValueKind.Object, $"getTransaction does not know {signature}");
        JsonElement meta = record.GetProperty("meta");
        JsonElement err = meta.GetProperty("err");
        (int exit, string text) = FastProcess.Run(TimeSpan.FromSeconds(60), "tx", signature.ToString(), "--url", node.Url);
        Assert.True(exit == 0, text);
        return new Snapshot(record.GetProperty("slot").GetUInt64(), err.ValueKind == JsonValueKind.Null ? null : err.GetRawText(), status!.Error,
            meta.GetProperty("fee").GetUInt64(),
            [.. meta.GetProperty("preBalances").EnumerateArray().Select(b => b.GetUInt64())],
            [.. meta.GetProperty("postBalances").EnumerateArray().Select(b => b.GetUInt64())], text);
    }

    private static async Task FundAsync(SingleValidator node, params Pubkey[] accounts)
    {
        Pubkey faucet = new(node.Faucet.PublicKey);
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        TransactionBuilder builder = new(faucet, blockhash);
        foreach (Pubkey account in accounts) builder.Add(SystemInstruction.Transfer(faucet, account, Funded));
        Signature funding = await node.Rpc.SendTransactionAsync(builder.Sign(node.Faucet));
        await WaitConfirmedAsync(node, funding);
    }

    private static async Task<Signature> SendAsync(SingleValidator node, Keypair payer, Instruction instruction)
    {
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync();
        return await node.Rpc.SendTransactionAsync(new TransactionBuilder(new Pubkey(payer.PublicKey), blockhash).Add(instruction).Sign(payer));
    }

    private static async Task<Signature> SendAndConfirmAsync(SingleValidator node, Keypair payer, Instruction instruction)
    {
        Signature signature = await SendAsync(node, payer, instruction);
        await WaitConfirmedAsync(node, signature);
        return signature;
    }

    private static async Task WaitConfirmedAsync(SingleValidator node, Signature signature)
    {
        var clock = Stopwatch.StartNew();
        while ((await node.Rpc.GetSignatureStatusesAsync([signature]))[0] is not { ConfirmationStatus: "confirmed" or "finalized" })
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{signature} was not confirmed");
            await Task.Delay(100);
        }
    }
}
