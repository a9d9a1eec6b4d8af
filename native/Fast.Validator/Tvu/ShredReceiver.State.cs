using Fast.Core.Primitives;
using Fast.Core.Shreds;

namespace Fast.Validator.Tvu;

public sealed partial class ShredReceiver
{
    /// <summary>One FEC set of a slot as this node holds it: the root its leader signed, and the shreds until the set is whole.</summary>
    private sealed class SetState(Hash root, Hash chainedRoot, byte[] firstShred)
    {
        public readonly Hash Root = root;
        public readonly Hash ChainedRoot = chainedRoot;

        /// <summary>The first shred taken for this set: one side of the evidence if its leader equivocates.</summary>
        public readonly byte[] FirstShred = firstShred;
        public FecSetRecovery? Recovery;
        public int DataHeld;
        public bool Done;
        public bool Conflict;

        /// <summary>A repaired shred went into this set: it did not complete from Turbine and erasure coding alone.</summary>
        public bool Repaired;
    }

    /// <summary>One slot being received: which shreds are held, where the block ends, its sets.</summary>
    private sealed class SlotState
    {
        public readonly ulong[] DataHeld = new ulong[ShredLayout.MaxShredsPerSlot / 64];
        public readonly ulong[] CodingHeld = new ulong[ShredLayout.MaxShredsPerSlot / 64];
        public readonly SortedDictionary<uint, SetState> Sets = [];
        public int DataCount;
        public long LastIndex = -1;
        public long HighestData = -1;
        public uint LastSetIndex;
        public ulong ParentSlot;
        public bool ParentKnown;
        public bool Full;
        public bool Duplicate;
        public bool Broken;

        public static bool Test(ulong[] bits, uint index) => (bits[index >> 6] & (1UL << (int)(index & 63))) != 0;

        public static void Set(ulong[] bits, uint index) => bits[index >> 6] |= 1UL << (int)(index & 63);
    }
}
