using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.CrashHost;

/// <summary>
/// The accounts the crash host's "accounts" mode writes at each root, as a pure function of the slot:
/// every account's lamports and data change every slot and some accounts are deleted (zero lamports),
/// half of them owned by <see cref="Program"/> (exercising the owner index),
/// so a recovered store shows which root each account came from. The root record's state is derived
/// from the slot too. Shared by the child process and the tests.
/// </summary>
public static class CheckpointScenario
{
    public const int Accounts = 2000;
    public const int StateLength = 64;

    /// <summary>The crash host compacts once the log spans this much (a root of these accounts is ~150 KB, so within seconds)...</summary>
    public const long CompactAboveBytes = 4L << 20;

    /// <summary>...a slice of this much (one page) at a time.</summary>
    public const long CompactionSliceBytes = 1L << 20;

    public static Pubkey Key(int i) => CrashScenario.Key(10_000 + i);

    /// <summary>The program that owns every even account, so each root adds and removes keys in its owner index (deleted accounts leave it, recreated ones return).</summary>
    public static Pubkey Program => CrashScenario.Key(-7);

    public static Pubkey Owner(int i) => i % 2 == 0 ? Program : Pubkey.Zero;

    /// <summary>Account <paramref name="i"/>'s lamports at root <paramref name="slot"/>; zero (deleted) for one account in seven.</summary>
    public static ulong Lamports(ulong slot, int i) => ((ulong)i + slot) % 7 == 0 ? 0 : slot * 1_000_000 + (ulong)i + 1;

    /// <summary>Account <paramref name="i"/>'s data at root <paramref name="slot"/>: 0 to 40 bytes, each the low byte of the slot.</summary>
    public static byte[] Data(ulong slot, int i)
    {
        byte[] data = new byte[(int)((slot + (ulong)i) % 41)];
        data.AsSpan().Fill((byte)slot);
        return data;
    }

    public static void State(ulong slot, Span<byte> state)
    {
        for (int offset = 0; offset < state.Length; offset += 8) BinaryPrimitives.WriteUInt64LittleEndian(state[offset..], slot * 31 + (ulong)offset);
    }

    public static AccountsDbOptions Options(string directory) => new()
    {
        Directory = Path.Combine(directory, "accounts"),
        IndexBytes = 1L << 20,
        PageBytes = 1L << 20,
        MemoryBytes = 8L << 20,
        SegmentBytes = 1L << 20, // small files, so compaction's truncation deletes some between kills
    };
}
