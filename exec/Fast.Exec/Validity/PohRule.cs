using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Poh;
using Fast.Core.Primitives;

namespace Fast.Exec.Validity;

/// <summary>Which PoH rule a block broke (<see cref="PohRule"/>).</summary>
public enum PohRuleViolation : byte
{
    None,
    /// <summary>The entries do not decode.</summary>
    Decode,
    /// <summary>The hashes from one tick to the next are not the genesis hashes per tick.</summary>
    HashesPerTick,
    /// <summary>The block does not hold (slot − parent slot) × ticks per slot ticks.</summary>
    TickCount,
    /// <summary>The block's last entry is not a tick.</summary>
    NotEndingOnTick,
    /// <summary>The hashes do not chain from the parent's last tick.</summary>
    Chain,
}

/// <summary>What <see cref="PohRule.Check"/> found: valid, or the violation and a one-line detail (cold).</summary>
public readonly record struct PohRuleResult(PohRuleViolation Violation, string Detail)
{
    public static PohRuleResult Valid => new(PohRuleViolation.None, "");

    public bool IsValid => Violation == PohRuleViolation.None;
}

/// <summary>
/// The PoH rules of a block (docs/block-validity.md, "PoH chain and ticks"): a block for slot S on a
/// parent at slot P holds exactly (S − P) × ticks-per-slot ticks — its own slot's and those of every
/// slot it skips over, so a leader cannot build on an old parent before the skipped slots' time has
/// been hashed — each tick period holds exactly the genesis hashes per tick, the block ends on a
/// tick, and every hash chains from the parent's last tick hash (its last blockhash). The leader
/// meets it by construction (its PoH restarts on the parent and labels the skipped ticks as the
/// block's: PohService.TryStartBlock); replay, start-up recovery and the simulator check it here.
/// </summary>
public static class PohRule
{
    /// <summary>Ticks a block for <paramref name="slot"/> on <paramref name="parentSlot"/> holds.</summary>
    public static ulong ExpectedTicks(ulong slot, ulong parentSlot, ulong ticksPerSlot) =>
        slot > parentSlot ? (slot - parentSlot) * ticksPerSlot : 0;

    /// <summary>Checks <paramref name="entries"/> (the block's entries as the Blockstore stores them); <paramref name="threads"/> bounds the parallel chain check.</summary>
    public static PohRuleResult Check(in Hash parentLastHash, ulong slot, ulong parentSlot, byte[] entries, ulong hashesPerTick, ulong ticksPerSlot, int threads)
    {
        if (slot <= parentSlot) return new PohRuleResult(PohRuleViolation.TickCount, $"slot {slot} is not above its parent {parentSlot}");
        int count = 0;
        foreach (EntryView _ in new EntryStream(entries)) count++;
        var segments = new PohSegment[Math.Max(count, 1)];
        DecodeResult decoded = PohSegment.TryParseEntries(entries, segments, out count);
        if (!decoded.IsOk) return new PohRuleResult(PohRuleViolation.Decode, decoded.ToString());
        ulong hashesSinceTick = 0;
        PohVerifyResult ticks = PohVerifier.CheckTickHashCounts(segments.AsSpan(0, count), hashesPerTick, ref hashesSinceTick);
        if (!ticks.IsValid) return new PohRuleResult(PohRuleViolation.HashesPerTick, ticks.ToString());
        ulong tickCount = 0;
        foreach (PohSegment s in segments.AsSpan(0, count))
        {
            if (!s.HasMixin) tickCount++;
        }
        ulong expected = ExpectedTicks(slot, parentSlot, ticksPerSlot);
        if (tickCount != expected) return new PohRuleResult(PohRuleViolation.TickCount, $"{tickCount} ticks, expected {expected} ({slot - parentSlot} slot(s) since parent {parentSlot})");
        if (count == 0 || segments[count - 1].HasMixin) return new PohRuleResult(PohRuleViolation.NotEndingOnTick, "the block does not end on a tick");
        PohVerifyResult chain = PohVerifier.Verify(parentLastHash, segments.AsMemory(0, count), threads);
        return chain.IsValid ? PohRuleResult.Valid : new PohRuleResult(PohRuleViolation.Chain, chain.ToString());
    }
}
