using System.Buffers;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Node.Bench;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

public class JsonRpcProcessorTests
{
    private readonly FakeRpcBackend _backend = new();

    private JsonElement Call(string body)
    {
        JsonRpcProcessor processor = new(_backend);
        ArrayBufferWriter<byte> output = new();
        Assert.True(processor.Process(Encoding.UTF8.GetBytes(body), output));
        return JsonDocument.Parse(output.WrittenMemory).RootElement.Clone();
    }

    private static int ErrorCode(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    [Fact]
    public void GetSlot_answers_with_the_request_id_and_honours_commitment()
    {
        JsonElement response = Call("""{"jsonrpc":"2.0","id":7,"method":"getSlot","params":[{"commitment":"confirmed"}]}""");
        Assert.Equal(7, response.GetProperty("id").GetInt32());
        Assert.Equal(99UL, response.GetProperty("result").GetUInt64());
        Assert.Equal(68UL, Call("""{"jsonrpc":"2.0","id":"a","method":"getSlot"}""").GetProperty("result").GetUInt64());
    }

    [Theory]
    [InlineData("", RpcError.ParseError)]
    [InlineData("{", RpcError.ParseError)]
    [InlineData("not json", RpcError.ParseError)]
    [InlineData("42", RpcError.InvalidRequest)]
    [InlineData("[]", RpcError.InvalidRequest)]
    [InlineData("""{"id":1,"method":"getSlot"}""", RpcError.InvalidRequest)]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"getSlot"}""", RpcError.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":5}""", RpcError.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":{},"method":"getSlot"}""", RpcError.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"noSuchMethod"}""", RpcError.MethodNotFound)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getSlot","params":{"commitment":"x"}}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"soon"}]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[1,2,3]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["not-a-key"]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[42]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111",{"encoding":"jsonParsed"}]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["zz0OIl"]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["AAAA",{"encoding":"base64"}]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["AAAA",{"encoding":"hex"}]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":["sig"]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[["short"]]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":[]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":["1111"]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[-1]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[5,{"commitment":"processed"}]}""", RpcError.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":["x"]}""", RpcError.InvalidParams)]
    public void Malformed_requests_get_the_matching_JSON_RPC_error(string body, int code)
    {
        JsonElement response = Call(body);
        Assert.Equal("2.0", response.GetProperty("jsonrpc").GetString());
        Assert.Equal(code, ErrorCode(response));
        Assert.False(response.TryGetProperty("result", out _));
    }

    [Fact]
    public void Too_many_signatures_are_refused()
    {
        string sigs = string.Join(',', Enumerable.Repeat($"\"{new Signature(new byte[64])}\"", 257));
        Assert.Equal(RpcError.InvalidParams, ErrorCode(Call($$"""{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[[{{sigs}}]]}""")));
    }

    [Fact]
    public void A_batch_answers_each_call_in_order_and_notifications_get_no_answer()
    {
        JsonElement response = Call("""[{"jsonrpc":"2.0","id":1,"method":"getSlot"},{"jsonrpc":"2.0","method":"getSlot"},{"jsonrpc":"2.0","id":3,"method":"nope"}]""");
        Assert.Equal(JsonValueKind.Array, response.ValueKind);
        Assert.Equal(2, response.GetArrayLength());
        Assert.Equal(1, response[0].GetProperty("id").GetInt32());
        Assert.Equal(RpcError.MethodNotFound, ErrorCode(response[1]));

        JsonRpcProcessor processor = new(_backend);
        Assert.False(processor.Process(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"getSlot"}"""), new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void A_bug_in_the_backend_is_an_internal_error_without_a_stack_trace()
    {
        _backend.ThrowOnSlot = true;
        JsonElement response = Call("""{"jsonrpc":"2.0","id":1,"method":"getSlot"}""");
        Assert.Equal(RpcError.InternalError, ErrorCode(response));
        Assert.DoesNotContain(" at ", response.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void SendTransaction_accepts_base58_and_base64_and_returns_the_first_signature()
    {
        byte[] tx = SampleTransfers.Transfer(Keypair.Generate(), new Pubkey(Enumerable.Repeat((byte)7, 32).ToArray()), 5, default);
        Core.Transactions.TransactionView.TryParse(tx, out Core.Transactions.TransactionView view);
        string expected = view.FirstSignature.ToString();

        JsonElement b58 = Call($$"""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["{{Base58.Encode(tx)}}"]}""");
        Assert.Equal(expected, b58.GetProperty("result").GetString());
        JsonElement b64 = Call($$"""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["{{Convert.ToBase64String(tx)}}",{"encoding":"base64"}]}""");
        Assert.Equal(expected, b64.GetProperty("result").GetString());
        Assert.Equal(2, _backend.Submitted.Count);

        _backend.NextOutcome = SubmitOutcome.InvalidSignature;
        Assert.Equal(RpcError.TransactionSignatureVerificationFailure, ErrorCode(Call($$"""{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["{{Base58.Encode(tx)}}"]}""")));
    }

    [Fact]
    public void GetBalance_and_getAccountInfo_follow_Solanas_shapes()
    {
        Pubkey key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        _backend.AccountStore[key] = new AccountSnapshot(42, Pubkey.Zero, false, [1, 2, 3]);
        JsonElement balance = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["{{key}}"]}""").GetProperty("result");
        Assert.Equal(68UL, balance.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Equal(42UL, balance.GetProperty("value").GetUInt64());

        JsonElement info = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{key}}",{"encoding":"base64"}]}""").GetProperty("result").GetProperty("value");
        Assert.Equal("AQID", info.GetProperty("data")[0].GetString());
        Assert.Equal("base64", info.GetProperty("data")[1].GetString());
        Assert.Equal("11111111111111111111111111111111", info.GetProperty("owner").GetString());

        JsonElement missing = Call("""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111"]}""");
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("result").GetProperty("value").ValueKind);
    }

    [Fact]
    public void GetSignatureStatuses_reports_found_and_unknown_signatures()
    {
        Signature known = new(Enumerable.Repeat((byte)9, 64).ToArray());
        _backend.Statuses[known] = new SignatureStatus(77, TransactionOutcome.Ok, Commitment.Confirmed, 1);
        Signature unknown = new(Enumerable.Repeat((byte)8, 64).ToArray());
        JsonElement value = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[["{{known}}","{{unknown}}"]]}""").GetProperty("result").GetProperty("value");
        Assert.Equal(77UL, value[0].GetProperty("slot").GetUInt64());
        Assert.Equal("confirmed", value[0].GetProperty("confirmationStatus").GetString());
        Assert.Equal(JsonValueKind.Null, value[0].GetProperty("err").ValueKind);
        Assert.Equal(JsonValueKind.Null, value[1].ValueKind);
    }

    [Fact]
    public void Random_bytes_always_get_a_well_formed_JSON_RPC_error()
    {
        JsonRpcProcessor processor = new(_backend);
        Random random = new(11);
        for (int i = 0; i < 2000; i++)
        {
            byte[] body = new byte[random.Next(0, 200)];
            random.NextBytes(body);
            if (i % 3 == 0) body = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBalance\",\"params\":[" + Encoding.Latin1.GetString(body) + "]}");
            ArrayBufferWriter<byte> output = new();
            processor.Process(body, output);
            using var doc = JsonDocument.Parse(output.WrittenMemory);
            Assert.True(doc.RootElement.TryGetProperty("error", out _) || doc.RootElement.TryGetProperty("result", out _));
        }
        Assert.Equal(0, processor.Counters.InternalErrors);
    }

    [Fact]
    public void GetMinimumBalanceForRentExemption_returns_the_genesis_rent_minimum_and_refuses_lengths_over_ten_mebibytes()
    {
        Assert.Equal(890_880UL, Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[0]}""").GetProperty("result").GetUInt64());
        Assert.Equal(1_586_880UL, Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[100,{"commitment":"confirmed"}]}""").GetProperty("result").GetUInt64());
        Assert.Equal(RpcError.InvalidParams, ErrorCode(Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[10485761]}""")));
        Assert.Equal(RpcError.InvalidParams, ErrorCode(Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[-1]}""")));
        Assert.Equal(RpcError.InvalidParams, ErrorCode(Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[]}""")));
        _backend.Rent = Core.Genesis.Rent.Free;
        Assert.Equal(0UL, Call("""{"jsonrpc":"2.0","id":1,"method":"getMinimumBalanceForRentExemption","params":[0]}""").GetProperty("result").GetUInt64());
    }

    [Fact]
    public void Every_method_in_the_issue_is_registered()
    {
        RpcMethods methods = new(_backend);
        string[] required = ["getHealth", "getVersion", "getSlot", "getBlockHeight", "getBalance", "getAccountInfo", "getLatestBlockhash", "sendTransaction",
            "getSignatureStatuses", "getTransaction", "getBlock", "getTransactionProof", "getLeaderSchedule", "getEpochInfo", "getClusterNodes", "getVoteAccounts", "getMinimumBalanceForRentExemption"];
        Assert.Empty(required.Except(methods.Names));
    }
}
