using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>getBlock in Solana's UiConfirmedBlock shape: every transactionDetails mode, rewards, and Solana's errors.</summary>
public class RpcBlockShapeTests
{
    private readonly FakeRpcBackend _backend = new(); // processed 100, confirmed 99, finalized 68
    private readonly List<Signature> _signatures = [];

    public RpcBlockShapeTests()
    {
        var blockhash = Hash.Compute("recent"u8);
        List<TransactionRecord> records = [];
        for (int i = 0; i < 2; i++)
        {
            var payer = Keypair.Generate();
            Pubkey from = new(payer.PublicKey);
            byte[] bytes = new TransactionBuilder(from, blockhash).Add(SystemInstruction.Transfer(from, new Pubkey(Enumerable.Repeat((byte)(i + 5), 32).ToArray()), 10)).Sign(payer);
            TransactionView.TryParse(bytes, out TransactionView view);
            _signatures.Add(view.FirstSignature);
            records.Add(new TransactionRecord(60, bytes, TransactionOutcome.Ok, 5000, [100_000, 0, 1], [94_990, 10, 1], 1_700_000_060));
        }
        _backend.BlockStore[60] = new BlockRecord(60, 58, Hash.Compute("block 60"u8), Hash.Compute("block 58"u8), 55, 1_700_000_060, records);
        _backend.LowestSlot = 10;
    }

    [Fact]
    public void GetBlock_defaults_to_full_json_transactions_with_rewards_blockTime_and_blockHeight()
    {
        JsonElement block = RpcCall.Result(_backend, "getBlock", "[60]");
        Assert.Equal(["blockHeight", "blockTime", "blockhash", "parentSlot", "previousBlockhash", "rewards", "transactions"], RpcCall.Names(block));
        Assert.Equal(Hash.Compute("block 60"u8).ToString(), block.GetProperty("blockhash").GetString());
        Assert.Equal(Hash.Compute("block 58"u8).ToString(), block.GetProperty("previousBlockhash").GetString());
        Assert.Equal(58UL, block.GetProperty("parentSlot").GetUInt64());
        Assert.Equal(55UL, block.GetProperty("blockHeight").GetUInt64());
        Assert.Equal(1_700_000_060L, block.GetProperty("blockTime").GetInt64());
        Assert.Equal(0, block.GetProperty("rewards").GetArrayLength());

        JsonElement transactions = block.GetProperty("transactions");
        Assert.Equal(2, transactions.GetArrayLength());
        JsonElement first = transactions[0];
        Assert.Equal(["meta", "transaction"], RpcCall.Names(first)); // no slot or blockTime inside a block
        Assert.Equal(_signatures[0].ToString(), first.GetProperty("transaction").GetProperty("signatures")[0].GetString());
        Assert.Equal(2, first.GetProperty("transaction").GetProperty("message").GetProperty("instructions")[0].GetProperty("programIdIndex").GetInt32());
        Assert.Equal(0, first.GetProperty("meta").GetProperty("rewards").GetArrayLength());
        Assert.Equal(10UL, first.GetProperty("meta").GetProperty("postBalances")[1].GetUInt64());
    }

    [Fact]
    public void TransactionDetails_signatures_lists_first_signatures_and_none_lists_nothing()
    {
        JsonElement signatures = RpcCall.Result(_backend, "getBlock", """[60,{"transactionDetails":"signatures"}]""");
        Assert.False(signatures.TryGetProperty("transactions", out _));
        Assert.Equal(_signatures.Select(s => s.ToString()).ToArray(), signatures.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()!).ToArray());

        JsonElement none = RpcCall.Result(_backend, "getBlock", """[60,{"transactionDetails":"none","rewards":false}]""");
        Assert.Equal(["blockHeight", "blockTime", "blockhash", "parentSlot", "previousBlockhash"], RpcCall.Names(none));
    }

    [Fact]
    public void TransactionDetails_accounts_gives_annotated_keys_and_a_meta_without_logs()
    {
        JsonElement tx = RpcCall.Result(_backend, "getBlock", """[60,{"transactionDetails":"accounts","maxSupportedTransactionVersion":0}]""").GetProperty("transactions")[0];
        Assert.Equal(["meta", "transaction", "version"], RpcCall.Names(tx));
        Assert.Equal("legacy", tx.GetProperty("version").GetString());
        Assert.Equal(["accountKeys", "signatures"], RpcCall.Names(tx.GetProperty("transaction")));
        Assert.Equal(["pubkey", "signer", "source", "writable"], RpcCall.Names(tx.GetProperty("transaction").GetProperty("accountKeys")[0]));
        Assert.Equal(["err", "fee", "postBalances", "postTokenBalances", "preBalances", "preTokenBalances", "rewards", "status"], RpcCall.Names(tx.GetProperty("meta")));
    }

    [Fact]
    public void Rewards_false_leaves_rewards_out_of_the_block_and_every_meta()
    {
        JsonElement block = RpcCall.Result(_backend, "getBlock", """[60,{"rewards":false,"encoding":"base64"}]""");
        Assert.False(block.TryGetProperty("rewards", out _));
        JsonElement tx = block.GetProperty("transactions")[0];
        Assert.False(tx.GetProperty("meta").TryGetProperty("rewards", out _));
        Assert.Equal("base64", tx.GetProperty("transaction")[1].GetString());
    }

    [Fact]
    public void A_slot_below_the_ledger_is_cleaned_up_a_rooted_slot_without_a_block_is_skipped_and_a_newer_one_is_not_available()
    {
        (int code, string message) = RpcCall.Error(_backend, "getBlock", "[5]");
        Assert.Equal(RpcError.BlockCleanedUp, code);
        Assert.Equal("Block 5 cleaned up, does not exist on node. First available block: 10", message);

        (code, message) = RpcCall.Error(_backend, "getBlock", "[61]"); // ≤ finalized 68, no block
        Assert.Equal(RpcError.SlotSkipped, code);
        Assert.Equal("Slot 61 was skipped, or missing due to ledger jump to recent snapshot", message);

        (code, message) = RpcCall.Error(_backend, "getBlock", "[90]"); // past finalized
        Assert.Equal(RpcError.BlockNotAvailable, code);
        Assert.Equal("Block not available for slot 90", message);
    }

    [Theory]
    [InlineData("""[60,{"transactionDetails":"most"}]""")]
    [InlineData("""[60,{"rewards":"yes"}]""")]
    [InlineData("""[60,{"encoding":"hex"}]""")]
    [InlineData("""[60,{"commitment":"processed"}]""")]
    [InlineData("""["60"]""")]
    [InlineData("""[]""")]
    public void Bad_getBlock_params_are_invalid_params(string parameters)
    {
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlock", parameters).Code);
    }
}
