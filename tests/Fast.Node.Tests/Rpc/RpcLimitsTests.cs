using System.Buffers;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>What one JSON-RPC call can make the node do: response size, account data slices, key counts.</summary>
public class RpcLimitsTests
{
    private readonly FakeRpcBackend _backend = new();

    private JsonElement Call(string body, int maxResponseBytes = JsonRpcProcessor.DefaultMaxResponseBytes)
    {
        JsonRpcProcessor processor = new(_backend, maxResponseBytes);
        ArrayBufferWriter<byte> output = new();
        Assert.True(processor.Process(Encoding.UTF8.GetBytes(body), output));
        Assert.True(output.WrittenCount <= maxResponseBytes, $"{output.WrittenCount} bytes answered, over the {maxResponseBytes}-byte cap");
        return JsonDocument.Parse(output.WrittenMemory).RootElement.Clone();
    }

    private static Pubkey Key(int i) => new(Hash.Compute(BitConverter.GetBytes(i)).Span);

    private static string Keys(IEnumerable<Pubkey> keys) => string.Join(",", keys.Select(k => $"\"{k}\""));

    [Fact]
    public void A_response_over_the_cap_is_a_JSON_RPC_error_naming_the_cap()
    {
        // 20 accounts of 1 MiB: 28 MiB of base64, over a 4 MiB cap; alone, one fits.
        for (int i = 0; i < 20; i++) _backend.AccountStore[Key(i)] = new AccountSnapshot(1, Pubkey.Zero, false, new byte[1 << 20]);
        const int Cap = 4 << 20;
        JsonElement response = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[[{{Keys(Enumerable.Range(0, 20).Select(Key))}}]]}""", Cap);
        Assert.Equal(RpcError.ResponseTooLarge, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains($"{Cap} bytes", response.GetProperty("error").GetProperty("message").GetString());
        Assert.Contains("--rpc-max-response-mb", response.GetProperty("error").GetProperty("message").GetString());

        JsonElement one = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{Key(0)}}"]}""", Cap);
        Assert.Equal(1 << 20, one.GetProperty("result").GetProperty("value").GetProperty("space").GetInt32());

        // A batch of calls that each fit, but not together: the calls past the cap get the error.
        string call = $$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{Key(0)}}"]}""";
        JsonElement batch = Call("[" + string.Join(",", Enumerable.Repeat(call, 10)) + "]", Cap);
        Assert.Equal(10, batch.GetArrayLength());
        Assert.True(batch[0].TryGetProperty("result", out _));
        Assert.Equal(RpcError.ResponseTooLarge, batch[9].GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public void DataSlice_returns_only_the_slice_and_space_still_says_the_whole_length()
    {
        byte[] data = [.. Enumerable.Range(0, 200).Select(i => (byte)i)];
        _backend.AccountStore[Key(1)] = new AccountSnapshot(5, Pubkey.Zero, false, data);
        JsonElement info = Call($$$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{{Key(1)}}}",{"dataSlice":{"offset":10,"length":5}}]}""");
        JsonElement value = info.GetProperty("result").GetProperty("value");
        Assert.Equal(data[10..15], Convert.FromBase64String(value.GetProperty("data")[0].GetString()!));
        Assert.Equal(200, value.GetProperty("space").GetInt32());

        // base58 is refused over 128 bytes, but a slice within that is fine; slices past the end clip.
        JsonElement many = Call($$$"""{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[["{{{Key(1)}}}","{{{Key(2)}}}"],{"encoding":"base58","dataSlice":{"offset":190,"length":100}}]}""");
        JsonElement values = many.GetProperty("result").GetProperty("value");
        Assert.Equal(Fast.Crypto.Base58.Encode(data.AsSpan(190)), values[0].GetProperty("data")[0].GetString());
        Assert.Equal(JsonValueKind.Null, values[1].ValueKind);
        JsonElement beyond = Call($$$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{{Key(1)}}}",{"dataSlice":{"offset":1000,"length":5}}]}""");
        Assert.Equal("", beyond.GetProperty("result").GetProperty("value").GetProperty("data")[0].GetString());

        JsonElement bad = Call($$$"""{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["{{{Key(1)}}}",{"dataSlice":{"offset":-1,"length":5}}]}""");
        Assert.Equal(RpcError.InvalidParams, bad.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public void GetMultipleAccounts_with_101_keys_is_invalid_params_in_Solanas_words()
    {
        JsonElement response = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[[{{Keys(Enumerable.Range(0, 101).Select(Key))}}]]}""");
        Assert.Equal(RpcError.InvalidParams, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Too many inputs provided; max 100", response.GetProperty("error").GetProperty("message").GetString());
        JsonElement hundred = Call($$"""{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[[{{Keys(Enumerable.Range(0, 100).Select(Key))}}]]}""");
        Assert.Equal(100, hundred.GetProperty("result").GetProperty("value").GetArrayLength());
    }
}
