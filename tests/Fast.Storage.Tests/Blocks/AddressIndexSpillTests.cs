using Fast.Core.Primitives;
using Fast.Storage.Blocks;
using Fast.Testing;
using Xunit;

namespace Fast.Storage.Tests.Blocks;

/// <summary>
/// The address index keeps only its newest chunks in memory and the rest in spill files: every query
/// answers exactly what an all-in-memory index answers, memory stays at the resident chunks however
/// many are added, purging deletes the files, and a walk cut into bounded steps gives the same answer.
/// </summary>
public class AddressIndexSpillTests
{
    private const int Slots = 200;
    private const int EntriesPerSlot = 6_000; // 1,200,000 entries: 18.3 chunks of 65,536, past one spill file of 16

    private static Pubkey Address(int i) => new(Hash.Compute(BitConverter.GetBytes(i)).Span);

    /// <summary>Fills both indexes alike: a few hot addresses (like bench-tps's accounts) and a long tail; each address's fingerprints in the order added.</summary>
    private static List<Pubkey> Fill(AddressSignatureIndex spilled, AddressSignatureIndex reference, Dictionary<Pubkey, List<ulong>> fingerprints)
    {
        Random random = new(5);
        List<Pubkey> addresses = [.. Enumerable.Range(0, 5_000).Select(Address)];
        for (ulong slot = 1; slot <= Slots; slot++)
        {
            for (int i = 0; i < EntriesPerSlot; i++)
            {
                Pubkey address = addresses[random.Next(4) == 0 ? random.Next(addresses.Count) : random.Next(16)];
                ulong fingerprint = (ulong)random.NextInt64();
                if (!fingerprints.TryGetValue(address, out List<ulong>? list)) fingerprints[address] = list = [];
                list.Add(fingerprint);
                spilled.Add(address, slot, i, i * 100, fingerprint);
                reference.Add(address, slot, i, i * 100, fingerprint);
            }
        }
        return addresses;
    }

    private static List<AddressTransaction> Query(AddressSignatureIndex index, Pubkey address, ulong lowest, ulong? before, ulong? until, int limit, int steps)
    {
        List<AddressTransaction> found = [];
        AddressSignatureIndex.Cursor cursor = default;
        int calls = 0;
        while (!index.Collect(address, lowest, ulong.MaxValue, before, until, limit, found, ref cursor, steps))
        {
            Assert.True(++calls < 10_000_000, "the walk never ended");
        }
        return found;
    }

    [Fact]
    public void A_spilling_index_answers_as_an_in_memory_one_holding_only_its_resident_chunks()
    {
        using TempDir dir = new();
        string folder = Path.Combine(dir.Path, "spill");
        using AddressSignatureIndex spilled = new(folder, residentChunks: 2);
        using AddressSignatureIndex reference = new(spillFolder: null);
        Random random = new(5);
        Dictionary<Pubkey, List<ulong>> fingerprints = [];
        List<Pubkey> addresses = Fill(spilled, reference, fingerprints);

        Assert.Equal(reference.EntryCount, spilled.EntryCount);
        Assert.True(spilled.ChunksInMemory <= 2, $"{spilled.ChunksInMemory} chunks in memory");
        Assert.True(reference.ChunksInMemory >= 18);
        Assert.Equal(2, Directory.GetFiles(folder).Length);

        // Whole chains, pages after `before`, cut at `until`, a `before` never seen (from the newest), a lowest slot; in one step and in steps of 7.
        foreach (Pubkey address in addresses.Take(40).Append(Address(-1)))
        {
            List<AddressTransaction> all = Query(reference, address, 0, null, null, int.MaxValue, int.MaxValue);
            Assert.Equal(all, Query(spilled, address, 0, null, null, int.MaxValue, 7));
            Assert.Equal(all.Take(1000), Query(spilled, address, 0, null, null, 1000, int.MaxValue));
            if (all.Count < 20) continue;
            List<ulong> newestFirst = [.. Enumerable.Reverse(fingerprints[address])];
            int at = random.Next(all.Count - 10);
            ulong before = newestFirst[at], until = newestFirst[at + 8];
            List<AddressTransaction> page = Query(reference, address, 0, before, until, 100, int.MaxValue);
            Assert.Equal(all.Skip(at + 1).Take(7), page);
            Assert.Equal(page, Query(spilled, address, 0, before, until, 100, 3));
            Assert.Equal(all.Take(5), Query(spilled, address, 0, 12345, null, 5, 3)); // unknown `before`: from the newest
            Assert.Equal(all.Where(t => t.Slot >= 150).Take(50), Query(spilled, address, 150, null, null, 50, 11));
        }

        // Purging drops chunks and their files alike, and the answers still agree.
        int filesBefore = Directory.GetFiles(folder).Length;
        spilled.PurgeBefore(Slots - 10);
        reference.PurgeBefore(Slots - 10);
        Assert.Equal(reference.EntryCount, spilled.EntryCount);
        Assert.Equal(filesBefore - 1, Directory.GetFiles(folder).Length); // the first file held only purged chunks
        foreach (Pubkey address in addresses.Take(40))
        {
            Assert.Equal(Query(reference, address, Slots - 10, null, null, int.MaxValue, int.MaxValue), Query(spilled, address, Slots - 10, null, null, int.MaxValue, 5));
        }
    }

    [Fact]
    public void Opening_a_spill_folder_empties_what_an_earlier_run_left()
    {
        using TempDir dir = new();
        string folder = Path.Combine(dir.Path, "spill");
        using (AddressSignatureIndex first = new(folder, residentChunks: 1))
        {
            for (int i = 0; i < 3 * AddressSignatureIndex.ChunkSize; i++) first.Add(Address(i % 3), 1, i, i, (ulong)i);
            Assert.NotEmpty(Directory.GetFiles(folder));
        }
        using AddressSignatureIndex second = new(folder, residentChunks: 1);
        Assert.Empty(Directory.GetFiles(folder));
        Assert.Equal(0, second.EntryCount);
    }
}
