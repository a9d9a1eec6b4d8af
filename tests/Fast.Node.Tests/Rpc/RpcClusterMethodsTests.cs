using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>
/// getIdentity, getEpochSchedule, isBlockhashValid, getFeeForMessage, getRecentPerformanceSamples,
/// getRecentPrioritizationFees, getSupply, getInflationGovernor, getStakeMinimumDelegation:
/// Solana's field names, nesting and types, and -32602 with one line for bad params.
/// </summary>
public class RpcClusterMethodsTests
{
    private readonly FakeRpcBackend _backend = new(); // processed 100, confirmed 99, finalized 68

    [Fact]
    public void GetIdentity_is_an_object_with_the_nodes_key()
    {
        JsonElement result = RpcCall.Result(_backend, "getIdentity");
        Assert.Equal(["identity"], RpcCall.Names(result));
        Assert.Equal(_backend.Identity.ToString(), result.GetProperty("identity").GetString());
    }

    [Fact]
    public void GetEpochSchedule_has_Solanas_five_fields_without_warmup()
    {
        JsonElement result = RpcCall.Result(_backend, "getEpochSchedule");
        Assert.Equal(["firstNormalEpoch", "firstNormalSlot", "leaderScheduleSlotOffset", "slotsPerEpoch", "warmup"], RpcCall.Names(result));
        Assert.Equal(8192UL, result.GetProperty("slotsPerEpoch").GetUInt64());
        Assert.Equal(8192UL, result.GetProperty("leaderScheduleSlotOffset").GetUInt64());
        Assert.False(result.GetProperty("warmup").GetBoolean());
        Assert.Equal(0UL, result.GetProperty("firstNormalEpoch").GetUInt64());
        Assert.Equal(0UL, result.GetProperty("firstNormalSlot").GetUInt64());
    }

    [Fact]
    public void IsBlockhashValid_answers_with_context_and_a_boolean_and_honours_minContextSlot()
    {
        var known = Hash.Compute("known"u8);
        _backend.ValidBlockhashes.Add(known);
        JsonElement valid = RpcCall.Result(_backend, "isBlockhashValid", $$"""["{{known}}",{"commitment":"processed"}]""");
        Assert.Equal(["context", "value"], RpcCall.Names(valid));
        Assert.Equal(100UL, valid.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.True(valid.GetProperty("value").GetBoolean());
        Assert.False(RpcCall.Result(_backend, "isBlockhashValid", $"""["{Hash.Compute("other"u8)}"]""").GetProperty("value").GetBoolean());

        JsonElement behind = RpcCall.Response(_backend, "isBlockhashValid", $$"""["{{known}}",{"minContextSlot":200}]""");
        Assert.Equal(-32016, behind.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Minimum context slot has not been reached", behind.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(68UL, behind.GetProperty("error").GetProperty("data").GetProperty("contextSlot").GetUInt64());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "isBlockhashValid", """["not-a-hash"]""").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "isBlockhashValid", "[]").Code);
    }

    private static string Message(Hash blockhash, int signers)
    {
        Keypair[] keys = [.. Enumerable.Range(0, signers).Select(_ => Keypair.Generate())];
        TransactionBuilder builder = new(new Pubkey(keys[0].PublicKey), blockhash);
        foreach (Keypair k in keys) builder.Add(SystemInstruction.Transfer(new Pubkey(k.PublicKey), new Pubkey(Enumerable.Repeat((byte)8, 32).ToArray()), 1));
        return Convert.ToBase64String(builder.BuildMessage());
    }

    [Fact]
    public void GetFeeForMessage_is_signatures_times_lamports_per_signature_or_null_for_an_unknown_blockhash()
    {
        var known = Hash.Compute("known"u8);
        _backend.ValidBlockhashes.Add(known);
        JsonElement two = RpcCall.Result(_backend, "getFeeForMessage", $$"""["{{Message(known, 2)}}",{"commitment":"confirmed"}]""");
        Assert.Equal(["context", "value"], RpcCall.Names(two));
        Assert.Equal(99UL, two.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Equal(10_000UL, two.GetProperty("value").GetUInt64());
        Assert.Equal(5_000UL, RpcCall.Result(_backend, "getFeeForMessage", $"""["{Message(known, 1)}"]""").GetProperty("value").GetUInt64());
        Assert.Equal(JsonValueKind.Null, RpcCall.Result(_backend, "getFeeForMessage", $"""["{Message(Hash.Compute("old"u8), 1)}"]""").GetProperty("value").ValueKind);
    }

    [Theory]
    [InlineData("""["!!!"]""")]
    [InlineData("""[""]""")]
    [InlineData("""["AAAA"]""")]
    [InlineData("""["AQABAg=="]""")]
    [InlineData("""[42]""")]
    [InlineData("""[]""")]
    public void GetFeeForMessage_refuses_what_is_not_a_base64_message(string parameters)
    {
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getFeeForMessage", parameters).Code);
    }

    [Fact]
    public void GetFeeForMessage_never_throws_on_random_messages()
    {
        Random random = new(5);
        for (int i = 0; i < 500; i++)
        {
            byte[] bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(0, 4);
            JsonElement response = RpcCall.Response(_backend, "getFeeForMessage", $"""["{Convert.ToBase64String(bytes)}"]""");
            Assert.True(response.TryGetProperty("result", out _) || response.GetProperty("error").GetProperty("code").GetInt32() == RpcError.InvalidParams);
        }
    }

    [Fact]
    public void GetRecentPerformanceSamples_lists_samples_newest_first_within_the_limit()
    {
        _backend.Samples.Add(new PerformanceSample(300, 1200, 100, 60, 1200));
        _backend.Samples.Add(new PerformanceSample(200, 600, 100, 60, 600));
        JsonElement all = RpcCall.Result(_backend, "getRecentPerformanceSamples");
        Assert.Equal(2, all.GetArrayLength());
        Assert.Equal(["numNonVoteTransactions", "numSlots", "numTransactions", "samplePeriodSecs", "slot"], RpcCall.Names(all[0]));
        Assert.Equal(300UL, all[0].GetProperty("slot").GetUInt64());
        Assert.Equal(1200UL, all[0].GetProperty("numTransactions").GetUInt64());
        Assert.Equal(60, all[0].GetProperty("samplePeriodSecs").GetInt32());
        Assert.Equal(1, RpcCall.Result(_backend, "getRecentPerformanceSamples", "[1]").GetArrayLength());
        (int code, string message) = RpcCall.Error(_backend, "getRecentPerformanceSamples", "[721]");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal("Invalid limit; max 720", message);
    }

    [Fact]
    public void GetRecentPrioritizationFees_lists_recent_slots_each_with_fee_zero_and_caps_the_addresses()
    {
        _backend.RecentSlots.AddRange([97, 98, 99]);
        JsonElement fees = RpcCall.Result(_backend, "getRecentPrioritizationFees", $"""[["{_backend.Identity}"]]""");
        Assert.Equal(3, fees.GetArrayLength());
        Assert.Equal(["prioritizationFee", "slot"], RpcCall.Names(fees[0]));
        Assert.Equal(97UL, fees[0].GetProperty("slot").GetUInt64());
        Assert.Equal(0UL, fees[2].GetProperty("prioritizationFee").GetUInt64());
        Assert.Equal(3, RpcCall.Result(_backend, "getRecentPrioritizationFees").GetArrayLength());

        string many = string.Join(',', Enumerable.Repeat($"\"{_backend.Identity}\"", 129));
        (int code, string message) = RpcCall.Error(_backend, "getRecentPrioritizationFees", $"[[{many}]]");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal("Too many inputs provided; max 128", message);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getRecentPrioritizationFees", """[["bad"]]""").Code);
    }

    [Fact]
    public void GetSupply_reports_the_whole_supply_circulating_in_Solanas_shape()
    {
        JsonElement supply = RpcCall.Result(_backend, "getSupply", """[{"commitment":"confirmed","excludeNonCirculatingAccountsList":true}]""");
        Assert.Equal(["context", "value"], RpcCall.Names(supply));
        Assert.Equal(99UL, supply.GetProperty("context").GetProperty("slot").GetUInt64());
        JsonElement value = supply.GetProperty("value");
        Assert.Equal(["circulating", "nonCirculating", "nonCirculatingAccounts", "total"], RpcCall.Names(value));
        Assert.Equal(_backend.Supply, value.GetProperty("total").GetUInt64());
        Assert.Equal(_backend.Supply, value.GetProperty("circulating").GetUInt64());
        Assert.Equal(0UL, value.GetProperty("nonCirculating").GetUInt64());
        Assert.Equal(0, value.GetProperty("nonCirculatingAccounts").GetArrayLength());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getSupply", """[{"excludeNonCirculatingAccountsList":1}]""").Code);
    }

    [Fact]
    public void GetInflationGovernor_has_Solanas_fields_all_zero()
    {
        JsonElement governor = RpcCall.Result(_backend, "getInflationGovernor");
        Assert.Equal(["foundation", "foundationTerm", "initial", "taper", "terminal"], RpcCall.Names(governor));
        foreach (JsonProperty rate in governor.EnumerateObject()) Assert.Equal(0.0, rate.Value.GetDouble());
    }

    [Fact]
    public void GetStakeMinimumDelegation_is_one_sol_with_context()
    {
        JsonElement result = RpcCall.Result(_backend, "getStakeMinimumDelegation", """[{"commitment":"processed"}]""");
        Assert.Equal(100UL, result.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Equal(1_000_000_000UL, result.GetProperty("value").GetUInt64());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getStakeMinimumDelegation", """[{"commitment":"later"}]""").Code);
    }

    [Fact]
    public void Every_method_of_the_issue_is_registered()
    {
        RpcMethods methods = new(_backend);
        string[] required = ["getBlocks", "getBlocksWithLimit", "getBlockTime", "getFirstAvailableBlock", "getEpochSchedule", "isBlockhashValid", "getRecentPerformanceSamples",
            "getRecentPrioritizationFees", "getFeeForMessage", "getSupply", "getIdentity", "getBlockCommitment", "getHighestSnapshotSlot", "getMaxRetransmitSlot",
            "getMaxShredInsertSlot", "getStakeMinimumDelegation", "getInflationGovernor"];
        Assert.Empty(required.Except(methods.Names));
    }
}
