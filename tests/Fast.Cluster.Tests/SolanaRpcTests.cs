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
/// The Solana-shaped RPC methods against a real `fast validator` (ValidatorRpcBackend over real banks
/// and the Blockstore): an airdrop from the faucet, read back through getTransaction (json and
/// jsonParsed), getBlock, getBlocks, getBlockTime, getSignaturesForAddress (also after a restart: the
/// address index is rebuilt from the ledger), and the chain-state methods.
/// </summary>
[Collection("cluster")]
public class SolanaRpcTests
{
    [Fact]
    public async Task An_airdrop_reads_back_through_every_Solana_method_and_its_address_history_survives_a_restart()
    {
        using SingleValidator node = new("solana-rpc-test", "--root-distance", "2", "--rpc-performance-sample-secs", "1");
        await node.StartAsync("--rpc-faucet-keypair", node.FaucetPath, "--rpc-faucet-max-lamports", "5000000");
        Pubkey fresh = new(Keypair.Generate().PublicKey);
        string faucet = new Pubkey(node.Faucet.PublicKey).ToString();

        Signature first = await AirdropAsync(node, fresh, 2_000_000);
        Signature second = await AirdropAsync(node, fresh, 3_000_000);
        RpcClientException capped = await Assert.ThrowsAsync<RpcClientException>(() => node.Rpc.CallAsync("requestAirdrop", w =>
        {
            w.WriteStringValue(fresh.ToString());
            w.WriteNumberValue(5_000_001);
        }));
        Assert.Contains("cap", capped.Message);
        Assert.Equal(5_000_000UL, await node.Rpc.GetBalanceAsync(fresh, "confirmed"));

        // getTransaction, json (the default): Solana's message and meta.
        JsonElement tx = await node.Rpc.CallAsync("getTransaction", w =>
        {
            w.WriteStringValue(first.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteEndObject();
        });
        ulong slot = tx.GetProperty("slot").GetUInt64();
        JsonElement message = tx.GetProperty("transaction").GetProperty("message");
        Assert.Equal(faucet, message.GetProperty("accountKeys")[0].GetString());
        Assert.Equal(1, message.GetProperty("header").GetProperty("numRequiredSignatures").GetInt32());
        JsonElement meta = tx.GetProperty("meta");
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("err").ValueKind);
        Assert.Equal(5000UL, meta.GetProperty("fee").GetUInt64());
        Assert.Equal(0UL, meta.GetProperty("preBalances")[1].GetUInt64());
        Assert.Equal(2_000_000UL, meta.GetProperty("postBalances")[1].GetUInt64());
        Assert.Equal(2, meta.GetProperty("logMessages").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, tx.GetProperty("blockTime").ValueKind);

        JsonElement parsed = (await node.Rpc.CallAsync("getTransaction", w =>
        {
            w.WriteStringValue(second.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteString("encoding", "jsonParsed");
            w.WriteNumber("maxSupportedTransactionVersion", 0);
            w.WriteEndObject();
        }));
        Assert.Equal("legacy", parsed.GetProperty("version").GetString());
        JsonElement info = parsed.GetProperty("transaction").GetProperty("message").GetProperty("instructions")[0].GetProperty("parsed").GetProperty("info");
        Assert.Equal(3_000_000UL, info.GetProperty("lamports").GetUInt64());
        Assert.Equal(fresh.ToString(), info.GetProperty("destination").GetString());

        // The block, its neighbours, its time and commitment.
        await node.WaitForSlotAsync(slot, "finalized");
        JsonElement block = await node.Rpc.CallAsync("getBlock", w => w.WriteNumberValue(slot));
        Assert.Contains(block.GetProperty("transactions").EnumerateArray(), t => t.GetProperty("transaction").GetProperty("signatures")[0].GetString() == first.ToString());
        Assert.Equal(0, block.GetProperty("rewards").GetArrayLength());
        ulong[] blocks = [.. (await node.Rpc.CallAsync("getBlocks", w =>
        {
            w.WriteNumberValue(slot - 1);
            w.WriteNumberValue(slot);
        })).EnumerateArray().Select(b => b.GetUInt64())];
        Assert.Contains(slot, blocks);
        Assert.Equal([slot], (await node.Rpc.CallAsync("getBlocksWithLimit", w =>
        {
            w.WriteNumberValue(slot);
            w.WriteNumberValue(1);
        })).EnumerateArray().Select(b => b.GetUInt64()).ToArray());
        Assert.Equal(tx.GetProperty("blockTime").GetInt64(), (await node.Rpc.CallAsync("getBlockTime", w => w.WriteNumberValue(slot))).GetInt64());
        JsonElement commitment = await node.Rpc.CallAsync("getBlockCommitment", w => w.WriteNumberValue(slot));
        Assert.Equal(32, commitment.GetProperty("commitment").GetArrayLength());
        Assert.True(commitment.GetProperty("totalStake").GetUInt64() > 0);
        Assert.True((await node.Rpc.CallAsync("getFirstAvailableBlock")).GetUInt64() <= slot);
        Assert.True((await node.Rpc.CallAsync("getMaxShredInsertSlot")).GetUInt64() >= slot);
        RpcClientException noSnapshot = await Assert.ThrowsAsync<RpcClientException>(() => node.Rpc.CallAsync("getHighestSnapshotSlot"));
        Assert.Equal(-32008, noSnapshot.Code);

        // The address's history: newest first, paged with `before`.
        await AssertHistoryAsync(node, fresh, [second, first]);

        // Blockhash, fee, supply, identity, schedule, samples.
        (Hash blockhash, _) = await node.Rpc.GetLatestBlockhashAsync(); // confirmed: a finalized bank does not know it yet
        Assert.True((await node.Rpc.CallAsync("isBlockhashValid", w =>
        {
            w.WriteStringValue(blockhash.ToString());
            Confirmed(w);
        })).GetProperty("value").GetBoolean());
        byte[] transferMessage = new TransactionBuilder(new Pubkey(node.Faucet.PublicKey), blockhash).Add(SystemInstruction.Transfer(new Pubkey(node.Faucet.PublicKey), fresh, 1)).BuildMessage();
        Assert.Equal(5000UL, (await node.Rpc.CallAsync("getFeeForMessage", w =>
        {
            w.WriteStringValue(Convert.ToBase64String(transferMessage));
            Confirmed(w);
        })).GetProperty("value").GetUInt64());
        // The supply: the genesis accounts, the stake and vote accounts genesis creates for the validators, and the rewards of the epochs since.
        JsonElement supply = (await node.Rpc.CallAsync("getSupply")).GetProperty("value");
        ulong total = supply.GetProperty("total").GetUInt64(), atGenesis = node.Bundle.Config.TotalLamports + node.Bundle.Config.TotalStake;
        Assert.InRange(total, atGenesis, atGenesis + atGenesis / 100);
        Assert.Equal(total, supply.GetProperty("circulating").GetUInt64() + supply.GetProperty("nonCirculating").GetUInt64());
        Assert.Equal(node.Bundle.Config.Validators[0].Identity.ToString(), (await node.Rpc.CallAsync("getIdentity")).GetProperty("identity").GetString());
        Assert.Equal(node.Bundle.Config.SlotsPerEpoch, (await node.Rpc.CallAsync("getEpochSchedule")).GetProperty("slotsPerEpoch").GetUInt64());
        Assert.True((await node.Rpc.CallAsync("getRecentPrioritizationFees")).GetArrayLength() > 0);
        JsonElement samples = await node.Rpc.CallAsync("getRecentPerformanceSamples", w => w.WriteNumberValue(5));
        Assert.True(samples.GetArrayLength() > 0, "no performance sample after several seconds of 1-second samples");
        Assert.True(samples[0].GetProperty("numSlots").GetUInt64() > 0);

        // The address index is rebuilt from the ledger after a restart, and the block keeps its time.
        long blockTime = (await node.Rpc.CallAsync("getBlockTime", w => w.WriteNumberValue(slot))).GetInt64();
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
        await Task.Delay(1500); // a restart's clock differs from the freeze's
        await node.StartAsync();
        await AssertHistoryAsync(node, fresh, [second, first]);
        Assert.Equal(blockTime, (await node.Rpc.CallAsync("getBlockTime", w => w.WriteNumberValue(slot))).GetInt64());
        JsonElement again = await node.Rpc.CallAsync("getTransaction", w =>
        {
            w.WriteStringValue(first.ToString());
            Confirmed(w);
        });
        Assert.Equal(blockTime, again.GetProperty("blockTime").GetInt64());
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static void Confirmed(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("commitment", "confirmed");
        w.WriteEndObject();
    }

    private static async Task<Signature> AirdropAsync(SingleValidator node, Pubkey to, ulong lamports)
    {
        string text = (await node.Rpc.CallAsync("requestAirdrop", w =>
        {
            w.WriteStringValue(to.ToString());
            w.WriteNumberValue(lamports);
        })).GetString()!;
        Assert.True(Signature.TryParse(text, out Signature signature));
        var clock = Stopwatch.StartNew();
        while ((await node.Rpc.GetSignatureStatusesAsync([signature]))[0] is not { ConfirmationStatus: "confirmed" or "finalized" })
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"airdrop {signature} was not confirmed");
            await Task.Delay(200);
        }
        return signature;
    }

    private static async Task AssertHistoryAsync(SingleValidator node, Pubkey address, Signature[] newestFirst)
    {
        JsonElement all = await node.Rpc.CallAsync("getSignaturesForAddress", w =>
        {
            w.WriteStringValue(address.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteEndObject();
        });
        Assert.Equal(newestFirst.Select(s => s.ToString()), all.EnumerateArray().Select(e => e.GetProperty("signature").GetString()));
        Assert.All(all.EnumerateArray(), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("err").ValueKind));
        JsonElement older = await node.Rpc.CallAsync("getSignaturesForAddress", w =>
        {
            w.WriteStringValue(address.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteNumber("limit", 1);
            w.WriteString("before", newestFirst[0].ToString());
            w.WriteEndObject();
        });
        Assert.Equal([newestFirst[1].ToString()], older.EnumerateArray().Select(e => e.GetProperty("signature").GetString()!).ToArray());
    }
}
