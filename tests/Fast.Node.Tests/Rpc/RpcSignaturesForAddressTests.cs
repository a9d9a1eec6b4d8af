using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Exec;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>getSignaturesForAddress: Solana's entry shape, newest first, paging, limits and errors.</summary>
public class RpcSignaturesForAddressTests
{
    private readonly FakeRpcBackend _backend = new(); // processed 100, confirmed 99, finalized 68
    private readonly Pubkey _address = new(Enumerable.Repeat((byte)21, 32).ToArray());
    private readonly List<Signature> _signatures = [];

    public RpcSignaturesForAddressTests()
    {
        List<AddressSignatureInfo> history = [];
        for (int i = 0; i < 25; i++)
        {
            Signature signature = new(Enumerable.Repeat((byte)(i + 1), 64).ToArray());
            _signatures.Add(signature);
            ulong slot = 50 + (ulong)i * 2; // 50 .. 98
            TransactionOutcome outcome = i == 3 ? new TransactionOutcome(TransactionError.InsufficientFunds, 0) : TransactionOutcome.Ok;
            history.Add(new AddressSignatureInfo(signature, slot, outcome, 1_700_000_000 + i, slot <= 68 ? Commitment.Finalized : Commitment.Confirmed));
        }
        _backend.AddressHistory[_address] = history;
    }

    private string[] Page(string config) =>
        [.. RpcCall.Result(_backend, "getSignaturesForAddress", $$"""["{{_address}}",{{config}}]""").EnumerateArray().Select(e => e.GetProperty("signature").GetString()!)];

    [Fact]
    public void Entries_have_Solanas_fields_newest_first()
    {
        JsonElement result = RpcCall.Result(_backend, "getSignaturesForAddress", $$"""["{{_address}}",{"commitment":"confirmed"}]""");
        Assert.Equal(25, result.GetArrayLength());
        JsonElement newest = result[0];
        Assert.Equal(["blockTime", "confirmationStatus", "err", "memo", "signature", "slot"], RpcCall.Names(newest));
        Assert.Equal(_signatures[24].ToString(), newest.GetProperty("signature").GetString());
        Assert.Equal(98UL, newest.GetProperty("slot").GetUInt64());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("err").ValueKind);
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("memo").ValueKind);
        Assert.Equal(1_700_000_024L, newest.GetProperty("blockTime").GetInt64());
        Assert.Equal("confirmed", newest.GetProperty("confirmationStatus").GetString());
        JsonElement failed = result[21];
        Assert.Equal("""{"InstructionError":[0,{"Custom":1}]}""", failed.GetProperty("err").GetRawText());
        Assert.Equal("finalized", failed.GetProperty("confirmationStatus").GetString());
    }

    [Fact]
    public void Finalized_is_the_default_and_hides_confirmed_only_transactions()
    {
        Assert.Equal(10, RpcCall.Result(_backend, "getSignaturesForAddress", $"""["{_address}"]""").GetArrayLength()); // slots 50..68
    }

    [Fact]
    public void Paging_with_before_walks_every_signature_once_and_until_stops_short()
    {
        List<string> all = [];
        string? before = null;
        for (int pages = 0; pages < 10; pages++)
        {
            string[] page = Page(before is null ? """{"commitment":"confirmed","limit":7}""" : $$"""{"commitment":"confirmed","limit":7,"before":"{{before}}"}""");
            if (page.Length == 0) break;
            all.AddRange(page);
            before = page[^1];
        }
        Assert.Equal(_signatures.Select(s => s.ToString()).Reverse(), all);
        Assert.Equal(_signatures[20..].Select(s => s.ToString()).Reverse(), Page($$"""{"commitment":"confirmed","until":"{{_signatures[19]}}"}"""));
    }

    [Theory]
    [InlineData("""{"limit":0}""", "Invalid limit; max 1000")]
    [InlineData("""{"limit":1001}""", "Invalid limit; max 1000")]
    [InlineData("""{"limit":"5"}""", "Invalid limit; max 1000")]
    [InlineData("""{"commitment":"processed"}""", "Method does not support commitment below `confirmed`")]
    public void Bad_configs_are_invalid_params_with_Solanas_message(string config, string message)
    {
        (int code, string text) = RpcCall.Error(_backend, "getSignaturesForAddress", $$"""["{{_address}}",{{config}}]""");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal(message, text);
    }

    [Theory]
    [InlineData("""["not-an-address"]""")]
    [InlineData("""[]""")]
    [InlineData("""["11111111111111111111111111111111",{"before":"short"}]""")]
    [InlineData("""["11111111111111111111111111111111",{"until":7}]""")]
    public void Bad_addresses_and_signatures_are_invalid_params(string parameters)
    {
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getSignaturesForAddress", parameters).Code);
    }

    [Fact]
    public void An_address_with_no_transactions_has_an_empty_list()
    {
        Assert.Equal(0, RpcCall.Result(_backend, "getSignaturesForAddress", """["11111111111111111111111111111111"]""").GetArrayLength());
    }
}
