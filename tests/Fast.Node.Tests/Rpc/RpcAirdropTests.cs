using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>requestAirdrop: a signature when the node has a faucet, Solana's errors when not, the faucet's cap and rate limits.</summary>
public class RpcAirdropTests
{
    private readonly FakeRpcBackend _backend = new();
    private readonly Pubkey _to = new(Enumerable.Repeat((byte)12, 32).ToArray());

    private Faucet NewFaucet(ulong perRequest = 1_000, ulong perMinute = 2_500, int requests = 3) =>
        new(Keypair.Generate(), new FaucetLimits { MaxLamportsPerRequest = perRequest, MaxLamportsPerMinute = perMinute, MaxRequestsPerMinute = requests });

    [Fact]
    public void An_airdrop_returns_the_transactions_signature()
    {
        _backend.Faucet = NewFaucet();
        string signature = RpcCall.Result(_backend, "requestAirdrop", $"""["{_to}", 1000]""").GetString()!;
        Assert.True(Signature.TryParse(signature, out _));
        Assert.Equal([(_to, 1000UL)], _backend.Airdrops);
    }

    [Fact]
    public void A_node_without_a_faucet_answers_invalid_request()
    {
        (int code, string message) = RpcCall.Error(_backend, "requestAirdrop", $"""["{_to}", 1000]""");
        Assert.Equal(RpcError.InvalidRequest, code);
        Assert.StartsWith("Invalid request", message);
    }

    [Fact]
    public void The_per_request_cap_and_the_per_minute_limits_refuse_with_the_reason()
    {
        _backend.Faucet = NewFaucet();
        (int code, string message) = RpcCall.Error(_backend, "requestAirdrop", $"""["{_to}", 1001]""");
        Assert.Equal(RpcError.InternalError, code);
        Assert.Contains("over the faucet's cap of 1000 per request", message);

        RpcCall.Result(_backend, "requestAirdrop", $"""["{_to}", 1000]""");
        RpcCall.Result(_backend, "requestAirdrop", $"""["{_to}", 1000]""");
        (code, message) = RpcCall.Error(_backend, "requestAirdrop", $"""["{_to}", 1000]"""); // 3,000 > 2,500 per minute
        Assert.Equal(RpcError.InternalError, code);
        Assert.Contains("2500 lamports per minute", message);
        RpcCall.Result(_backend, "requestAirdrop", $"""["{_to}", 500]""");
        (_, message) = RpcCall.Error(_backend, "requestAirdrop", $"""["{_to}", 1]"""); // the 4th request in the minute
        Assert.Contains("3 requests per minute", message);

        _backend.NowMs += 60_000; // a new minute
        RpcCall.Result(_backend, "requestAirdrop", $"""["{_to}", 1000]""");
        Assert.Equal(4, _backend.Airdrops.Count);
    }

    [Theory]
    [InlineData("""["not-a-key", 5]""")]
    [InlineData("""["11111111111111111111111111111111"]""")]
    [InlineData("""["11111111111111111111111111111111", -5]""")]
    [InlineData("""["11111111111111111111111111111111", "5"]""")]
    public void Bad_params_are_invalid_params(string parameters)
    {
        _backend.Faucet = NewFaucet();
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "requestAirdrop", parameters).Code);
    }

    [Fact]
    public void Zero_lamports_are_refused()
    {
        _backend.Faucet = NewFaucet();
        Assert.Contains("at least 1 lamport", RpcCall.Error(_backend, "requestAirdrop", $"""["{_to}", 0]""").Message);
    }
}
