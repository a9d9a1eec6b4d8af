using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>getBlocks, getBlocksWithLimit, getBlockTime, getFirstAvailableBlock, getBlockCommitment, getHighestSnapshotSlot, getMax*Slot: Solana's answers and errors.</summary>
public class RpcLedgerMethodsTests
{
    private readonly FakeRpcBackend _backend = new(); // processed 100, confirmed 99, finalized 68

    public RpcLedgerMethodsTests()
    {
        _backend.LowestSlot = 10;
        foreach (ulong slot in new ulong[] { 5, 10, 11, 13, 20, 68, 70, 99 })
        {
            _backend.BlockStore[slot] = new BlockRecord(slot, slot - 1, Hash.Compute([(byte)slot]), default, slot, 1_700_000_000 + (long)slot, []);
        }
    }

    private static ulong[] Slots(JsonElement array) => [.. array.EnumerateArray().Select(s => s.GetUInt64())];

    [Fact]
    public void GetBlocks_lists_the_slots_with_blocks_up_to_the_commitment_and_takes_the_end_slot_or_a_config_second()
    {
        Assert.Equal([10UL, 11, 13, 20], Slots(RpcCall.Result(_backend, "getBlocks", "[0, 20]")));
        Assert.Equal([10UL, 11, 13, 20, 68], Slots(RpcCall.Result(_backend, "getBlocks", "[0]"))); // finalized: up to 68
        Assert.Equal([68UL, 70, 99], Slots(RpcCall.Result(_backend, "getBlocks", """[21, {"commitment":"confirmed"}]""")));
        Assert.Equal([68UL, 70], Slots(RpcCall.Result(_backend, "getBlocks", """[21, 98, {"commitment":"confirmed"}]""")));
        Assert.Empty(Slots(RpcCall.Result(_backend, "getBlocks", "[90, 80]")));
    }

    [Fact]
    public void GetBlocks_refuses_a_range_over_500000_slots_processed_commitment_and_bad_slots()
    {
        _backend.ProcessedSlot = 2_000_000;
        (int code, string message) = RpcCall.Error(_backend, "getBlocks", "[0, 600000]");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal("Slot range too large; max 500000", message);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlocks", """[0, {"commitment":"processed"}]""").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlocks", "[-1]").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlocks", "[]").Code);
    }

    [Fact]
    public void GetBlocksWithLimit_takes_at_most_the_limit_from_the_start_slot()
    {
        Assert.Equal([11UL, 13], Slots(RpcCall.Result(_backend, "getBlocksWithLimit", "[11, 2]")));
        Assert.Equal([70UL, 99], Slots(RpcCall.Result(_backend, "getBlocksWithLimit", """[69, 5, {"commitment":"confirmed"}]""")));
        Assert.Empty(Slots(RpcCall.Result(_backend, "getBlocksWithLimit", "[11, 0]")));
        (int code, string message) = RpcCall.Error(_backend, "getBlocksWithLimit", "[0, 500001]");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal("Limit too large; max 500000", message);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlocksWithLimit", "[0]").Code);
    }

    [Fact]
    public void GetBlockTime_answers_the_blocks_time_genesis_for_slot_0_and_Solanas_errors_otherwise()
    {
        Assert.Equal(1_700_000_013L, RpcCall.Result(_backend, "getBlockTime", "[13]").GetInt64());
        Assert.Equal(1_700_000_099L, RpcCall.Result(_backend, "getBlockTime", "[99]").GetInt64()); // confirmed, not yet rooted
        Assert.Equal(1_600_000_000L, RpcCall.Result(_backend, "getBlockTime", "[0]").GetInt64());
        Assert.Equal(RpcError.BlockCleanedUp, RpcCall.Error(_backend, "getBlockTime", "[5]").Code);
        Assert.Equal(RpcError.SlotSkipped, RpcCall.Error(_backend, "getBlockTime", "[12]").Code);
        Assert.Equal(RpcError.BlockNotAvailable, RpcCall.Error(_backend, "getBlockTime", "[150]").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlockTime", "[]").Code);
    }

    [Fact]
    public void GetFirstAvailableBlock_is_the_lowest_slot_of_the_ledger()
    {
        Assert.Equal(10UL, RpcCall.Result(_backend, "getFirstAvailableBlock").GetUInt64());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getFirstAvailableBlock", "[1]").Code);
    }

    [Fact]
    public void GetBlockCommitment_gives_32_stakes_or_null_and_the_total_stake()
    {
        ulong[] stakes = new ulong[32];
        stakes[31] = 42_000;
        _backend.Commitments[20] = stakes;
        JsonElement known = RpcCall.Result(_backend, "getBlockCommitment", "[20]");
        Assert.Equal(["commitment", "totalStake"], RpcCall.Names(known));
        Assert.Equal(32, known.GetProperty("commitment").GetArrayLength());
        Assert.Equal(42_000UL, known.GetProperty("commitment")[31].GetUInt64());
        Assert.Equal(42_000UL, known.GetProperty("totalStake").GetUInt64());
        Assert.Equal(JsonValueKind.Null, RpcCall.Result(_backend, "getBlockCommitment", "[21]").GetProperty("commitment").ValueKind);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getBlockCommitment", "[\"x\"]").Code);
    }

    [Fact]
    public void GetHighestSnapshotSlot_is_Solanas_no_snapshot_error()
    {
        (int code, string message) = RpcCall.Error(_backend, "getHighestSnapshotSlot");
        Assert.Equal(-32008, code);
        Assert.Equal("No snapshot", message);
    }

    [Fact]
    public void GetMaxShredInsertSlot_and_getMaxRetransmitSlot_are_the_highest_stored_slot()
    {
        Assert.Equal(101UL, RpcCall.Result(_backend, "getMaxShredInsertSlot").GetUInt64());
        Assert.Equal(101UL, RpcCall.Result(_backend, "getMaxRetransmitSlot").GetUInt64());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getMaxShredInsertSlot", "[{}]").Code);
    }
}
