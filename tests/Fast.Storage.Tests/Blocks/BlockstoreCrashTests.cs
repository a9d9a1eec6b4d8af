using Fast.CrashHost;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

public class BlockstoreCrashTests
{
    [Theory]
    [InlineData(20)]
    [InlineData(150)]
    public void Every_slot_reported_durable_survives_kill_9_in_the_middle_of_appends(int killAfterDurableSlots)
    {
        using TempDir dir = new("fast-crash-blocks");
        ulong durable = 0;
        using (var host = CrashHostProcess.Start("blockstore", dir.Path))
        {
            while (durable < (ulong)killAfterDurableSlots)
            {
                string line = host.ReadLine(TimeSpan.FromSeconds(60)) ?? throw new Xunit.Sdk.XunitException($"crash host stopped: {host.StandardError}");
                durable = ulong.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            foreach (string line in host.KillAndDrain())
            {
                durable = Math.Max(durable, ulong.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        using var store = Blockstore.Open(CrashScenario.BlockstoreOptions(dir.Path));
        Assert.Equal(0, store.SkippedRecords);
        for (ulong slot = 1; slot <= durable; slot++)
        {
            Assert.True(store.TryGetSlotMeta(slot, out SlotMeta meta), $"durable slot {slot} is missing (reported up to {durable})");
            Assert.True(meta.IsComplete);
            Assert.Equal(5, meta.EntryCount);
            Assert.Equal([.. CrashScenario.Payload(slot, 0), .. CrashScenario.Payload(slot, 1)], store.ReadSlotEntries(slot)!);
        }
        // What got past the last report is either whole or absent: never a torn record.
        foreach (ulong slot in store.Slots())
        {
            if (slot <= durable) continue;
            Assert.True(store.TryGetSlotMeta(slot, out SlotMeta meta));
            byte[] read = store.ReadSlotEntries(slot)!;
            byte[] expected = [.. CrashScenario.Payload(slot, 0), .. CrashScenario.Payload(slot, 1)];
            Assert.Equal(expected.AsSpan(0, read.Length).ToArray(), read);
            Assert.Equal(meta.IsComplete, read.Length == expected.Length);
        }
    }
}
