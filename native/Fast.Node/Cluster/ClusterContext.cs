using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Storage;
using Fast.Validator.Forks;
using Fast.Validator.Leader;

namespace Fast.Node.Cluster;

/// <summary>
/// What the banking thread of a cluster node works with beyond a single node's pipeline: the network
/// (blocks to replay, peers to forward to), the broadcaster (which parent each block builds on), the
/// leader slot controller and the fork tree of replayed blocks (fork choice and roots), the leader
/// schedule and the genesis timing. Null on a single node. Banking thread only, except where noted.
/// </summary>
public sealed class ClusterContext
{
    public required ClusterNetwork Network { get; init; }
    public required BlockBroadcaster Broadcaster { get; init; }
    public required LeaderSlotController Leader { get; init; }

    /// <summary>The replayed blocks (and own ones): fork choice (<see cref="ForkTree.Best"/>) and the root.</summary>
    public required ForkTree Forks { get; init; }

    public required Func<ulong, Pubkey> LeaderOf { get; init; }
    public required long GenesisUnixMs { get; init; }
    public required long SlotMs { get; init; }
    public required ulong TicksPerSlot { get; init; }
    public required ulong HashesPerTick { get; init; }

    /// <summary>Verifies other leaders' block signatures while their shreds arrive (null: off); replay skips what it verified.</summary>
    public ReplayPreverifier? Preverifier { get; init; }

    /// <summary>Where the last slot this node started leading is kept (fsync'd before PoH starts it: a restart never leads it again).</summary>
    public required string LastLeaderSlotPath { get; init; }

    /// <summary>Unix milliseconds at which <paramref name="slot"/> starts (genesis creation + slot × slot length: the cluster's shared clock).</summary>
    public long SlotStartUnixMs(ulong slot) => GenesisUnixMs + (long)slot * SlotMs;

    /// <summary>A block's time: its slot's start on the genesis clock (never the leader's own clock), Unix seconds.</summary>
    public long BlockTime(ulong slot) => SlotStartUnixMs(slot) / 1000;

    /// <summary>The last slot this node started leading, from <paramref name="path"/> (null when none or unreadable).</summary>
    public static ulong? ReadLastLeaderSlot(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            return bytes.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void WriteLastLeaderSlot(ulong slot)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, slot);
        DurableFile.Write(LastLeaderSlotPath, bytes);
    }
}
