using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Core.Consensus;

/// <summary>
/// Who leads each slot of an epoch: stake-weighted sampling, seeded by the genesis hash and the
/// epoch number, so every node computes the same schedule. Each pick leads
/// <see cref="ConsecutiveLeaderSlots"/> slots in a row (Agave's NUM_CONSECUTIVE_LEADER_SLOTS = 4),
/// which lets a leader stream one long block instead of handing off every 600 ms. Pure and immutable.
/// </summary>
public sealed class LeaderSchedule
{
    public const int ConsecutiveLeaderSlots = 4;

    private readonly Pubkey[] _leaders;

    private LeaderSchedule(Epoch epoch, ulong firstSlot, Pubkey[] leaders)
    {
        Epoch = epoch;
        FirstSlot = firstSlot;
        _leaders = leaders;
    }

    public Epoch Epoch { get; }
    public ulong FirstSlot { get; }
    public int SlotCount => _leaders.Length;

    /// <summary>The leader of <paramref name="slot"/>, which must lie in this epoch.</summary>
    public Pubkey LeaderAt(ulong slot)
    {
        ulong offset = slot - FirstSlot;
        if (slot < FirstSlot || offset >= (ulong)_leaders.Length) throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is not in epoch {Epoch}");
        return _leaders[offset];
    }

    public bool Contains(ulong slot) => slot >= FirstSlot && slot - FirstSlot < (ulong)_leaders.Length;

    /// <summary>
    /// Computes the schedule. Stakes with the same identity must not repeat; order does not matter
    /// (they are sorted by identity first, so every node agrees).
    /// </summary>
    public static LeaderSchedule Compute(in Hash genesisHash, Epoch epoch, ulong slotsPerEpoch, IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes)
    {
        (Pubkey Identity, ulong Stake)[] sorted = Sorted(stakes, out ulong total);
        Span<byte> seed = stackalloc byte[Hash.Size];
        Seed(genesisHash, epoch, seed);
        var leaders = new Pubkey[slotsPerEpoch];
        for (ulong slot = 0; slot < slotsPerEpoch; slot += ConsecutiveLeaderSlots)
        {
            Pubkey leader = Pick(seed, slot, sorted, total);
            for (ulong i = slot; i < Math.Min(slot + ConsecutiveLeaderSlots, slotsPerEpoch); i++) leaders[i] = leader;
        }
        return new LeaderSchedule(epoch, checked(epoch.Value * slotsPerEpoch), leaders);
    }

    /// <summary>
    /// The leader of one <paramref name="slot"/> of <paramref name="epoch"/> without computing the whole
    /// schedule (the same draw as <see cref="Compute"/>: two SHA-256 and one pass over the stakes) — for
    /// a program that checks one slot's leader, e.g. slashing evidence.
    /// </summary>
    public static Pubkey LeaderOf(in Hash genesisHash, Epoch epoch, ulong slotsPerEpoch, IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes, ulong slot)
    {
        ulong first = checked(epoch.Value * slotsPerEpoch);
        if (slot < first || slot - first >= slotsPerEpoch) throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is not in epoch {epoch}");
        (Pubkey Identity, ulong Stake)[] sorted = Sorted(stakes, out ulong total);
        Span<byte> seed = stackalloc byte[Hash.Size];
        Seed(genesisHash, epoch, seed);
        ulong offset = slot - first;
        return Pick(seed, offset - offset % ConsecutiveLeaderSlots, sorted, total);
    }

    private static (Pubkey Identity, ulong Stake)[] Sorted(IReadOnlyList<(Pubkey Identity, ulong Stake)> stakes, out ulong total)
    {
        if (stakes.Count == 0) throw new ArgumentException("no staked validators", nameof(stakes));
        (Pubkey Identity, ulong Stake)[] sorted = [.. stakes];
        Array.Sort(sorted, (a, b) => a.Identity.CompareTo(b.Identity));
        total = 0;
        foreach ((_, ulong stake) in sorted) total = checked(total + stake);
        if (total == 0) throw new ArgumentException("total stake is zero", nameof(stakes));
        return sorted;
    }

    /// <summary>Seed = sha256(genesis hash ‖ epoch); a counter-mode SHA-256 stream over it supplies the draws.</summary>
    private static void Seed(in Hash genesisHash, Epoch epoch, Span<byte> seed)
    {
        Span<byte> seedInput = stackalloc byte[Hash.Size + 8];
        genesisHash.CopyTo(seedInput);
        BinaryPrimitives.WriteUInt64LittleEndian(seedInput[Hash.Size..], epoch.Value);
        Sha256Kernel.Hash(seedInput, seed);
    }

    /// <summary>The pick for the run of slots starting at epoch offset <paramref name="offset"/> (a multiple of <see cref="ConsecutiveLeaderSlots"/>).</summary>
    private static Pubkey Pick(ReadOnlySpan<byte> seed, ulong offset, (Pubkey Identity, ulong Stake)[] sorted, ulong total)
    {
        Span<byte> block = stackalloc byte[Hash.Size + 8];
        Span<byte> draw = stackalloc byte[Hash.Size];
        seed.CopyTo(block);
        BinaryPrimitives.WriteUInt64LittleEndian(block[Hash.Size..], offset);
        Sha256Kernel.Hash(block, draw);
        // 128-bit draw reduced modulo total stake: bias below 2^-64, negligible.
        UInt128 value = new(BinaryPrimitives.ReadUInt64LittleEndian(draw[8..]), BinaryPrimitives.ReadUInt64LittleEndian(draw));
        ulong point = (ulong)(value % total);
        ulong cumulative = 0;
        foreach ((Pubkey identity, ulong stake) in sorted)
        {
            cumulative += stake;
            if (point < cumulative) return identity;
        }
        return sorted[^1].Identity;
    }
}
