using Fast.Core.Codec;
using Fast.Core.Ledger;
using Fast.Core.Primitives;
using Fast.Core.Shreds;
using Fast.Crypto;
using Fast.Testing;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Core.Tests.Shreds;

/// <summary>A slot's shredding by <see cref="Shredder"/> and its inverse <see cref="Deshredder"/>: chaining, flags, signatures, recovery, incremental use.</summary>
public class ShredderTests
{
    internal const ushort Version = 9;
    internal static readonly Keypair Leader = Keypair.Generate();
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true);

    /// <summary>A shredded slot: each set's buffer (64 shreds at stride 1,232) and its description.</summary>
    internal sealed record ShreddedSlot(List<byte[]> Buffers, List<ShreddedFecSet> Sets)
    {
        public Hash BlockId => Sets[^1].Root;

        public IEnumerable<byte[]> DataShreds()
        {
            for (int s = 0; s < Sets.Count; s++)
            {
                for (int i = 0; i < Sets[s].DataShreds; i++) yield return Sets[s].Shred(Buffers[s], i).ToArray();
            }
        }
    }

    /// <summary>Shreds <paramref name="bytes"/> as a leader streaming it in <paramref name="chunks"/> pieces would (taking full sets after each append).</summary>
    internal static ShreddedSlot Shred(byte[] bytes, ulong slot = 50, ulong parent = 49, Hash parentBlockId = default, int chunks = 1,
        Keypair? leader = null)
    {
        Shredder shredder = new(leader ?? Leader, Version);
        shredder.BeginSlot(slot, parent, parentBlockId);
        List<byte[]> buffers = [];
        List<ShreddedFecSet> sets = [];
        int chunk = Math.Max(1, (bytes.Length + chunks - 1) / Math.Max(1, chunks));
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            Assert.True(shredder.TryAppend(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset))));
            while (true)
            {
                byte[] buffer = new byte[Shredder.SetBufferSize];
                if (!shredder.TryTakeFullSet(buffer, out ShreddedFecSet set)) break;
                buffers.Add(buffer);
                sets.Add(set);
            }
        }
        byte[] last = new byte[Shredder.SetBufferSize];
        sets.Add(shredder.FinishSlot(last));
        buffers.Add(last);
        return new ShreddedSlot(buffers, sets);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Deshredder Deshred(ShreddedSlot shredded, ulong slot = 50, Hash? parentBlockId = null, Pubkey? leader = null)
    {
        Deshredder deshredder = new();
        deshredder.Begin(slot, Version, parentBlockId, leader);
        foreach (byte[] shred in shredded.DataShreds())
        {
            DeshredStatus status = deshredder.TryAdd(shred);
            Assert.True(status is DeshredStatus.Added or DeshredStatus.Completed, status.ToString());
        }
        return deshredder;
    }

    [Fact]
    public void A_slot_of_entries_round_trips_through_shredder_and_deshredder_and_the_entries_parse()
    {
        byte[] entries = new byte[41 * 2000];
        SpanWriter writer = new(entries);
        for (int i = 0; i < 2000; i++) EntryWriter.WriteTick(ref writer, (ulong)i + 1, Hash.Compute(BitConverter.GetBytes(i)));
        var parentId = Hash.Compute("parent block"u8);

        ShreddedSlot shredded = Shred(entries, parentBlockId: parentId, chunks: 37);
        Deshredder deshredder = Deshred(shredded, parentBlockId: parentId, leader: new Pubkey(Leader.PublicKey));

        Assert.True(deshredder.IsComplete);
        Assert.Equal(DeshredStatus.Completed, deshredder.Finish());
        Assert.Equal(shredded.BlockId, deshredder.BlockId);
        Assert.Equal(49UL, deshredder.ParentSlot);
        Assert.True(deshredder.Entries.SequenceEqual(entries));
        int count = 0;
        foreach (EntryView entry in new EntryStream(deshredder.Entries)) Assert.Equal((ulong)++count, entry.NumHashes);
        Assert.Equal(2000, count);
        Assert.Equal((82_000 + Shredder.DataPerSet - 1) / Shredder.DataPerSet, shredded.Sets.Count);
    }

    [Fact]
    public void Any_bytes_split_any_way_round_trip_and_give_a_block_id_that_depends_only_on_the_bytes()
    {
        Gen<(int Length, int Chunks, int Seed)> cases =
            from length in Gen.Frequency((3, Gen.Choose(0, 3 * 28_512 + 100)), (1, Gen.Elements(0, 1, 28_511, 28_512, 28_513, 57_024, 57_025)))
            from chunks in Gen.Choose(1, 50)
            from seed in Gen.Choose(0, int.MaxValue)
            select (length, chunks, seed);
        Check.One(Quick, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            byte[] bytes = RandomBytes(c.Length, c.Seed);
            ShreddedSlot streamed = Shred(bytes, chunks: c.Chunks);
            ShreddedSlot whole = Shred(bytes, chunks: 1);
            Deshredder deshredder = Deshred(streamed);
            int expectedSets = Math.Max(1, (c.Length + Shredder.DataPerSet - 1) / Shredder.DataPerSet);
            return deshredder.IsComplete && deshredder.Entries.SequenceEqual(bytes) && deshredder.BlockId == streamed.BlockId
                && streamed.BlockId == whole.BlockId && streamed.Sets.Count == expectedSets;
        }));
    }

    [Fact]
    public void Every_set_is_32_data_and_32_coding_and_only_the_last_data_shred_of_the_slot_is_last_in_slot()
    {
        ShreddedSlot shredded = Shred(RandomBytes(Shredder.DataPerSet + 1000, 1));
        Assert.Equal(2, shredded.Sets.Count);
        for (int s = 0; s < 2; s++)
        {
            ShreddedFecSet set = shredded.Sets[s];
            Assert.Equal((32, 32, (uint)(32 * s), s == 1), (set.DataShreds, set.CodingShreds, set.FecSetIndex, set.IsLastInSlot));
            for (int leaf = 0; leaf < 64; leaf++)
            {
                Assert.True(ShredView.TryParse(set.Shred(shredded.Buffers[s], leaf), out ShredView view).IsOk);
                Assert.Equal((50UL, Version, (ushort)1, set.FecSetIndex), (view.Slot, view.Version, view.IsData ? view.ParentOffset : (ushort)1, view.FecSetIndex));
                Assert.Equal(leaf < 32 ? (uint)(32 * s + leaf) : (uint)(32 * s + leaf - 32), view.Index);
                ShredFlags expected = leaf == 31 ? (s == 1 ? ShredFlags.LastInFecSet | ShredFlags.LastInSlot : ShredFlags.LastInFecSet) : ShredFlags.None;
                Assert.Equal(expected, view.Flags);
                Assert.True(view.VerifyLeaderSignature(Leader.PublicKey, out Hash root));
                Assert.Equal(set.Root, root);
            }
        }
        // The last set's 1,000 bytes are spread over its 32 data shreds: 31 or 32 bytes each.
        for (int i = 0; i < 32; i++)
        {
            ShredView.TryParse(shredded.Sets[1].Shred(shredded.Buffers[1], i), out ShredView view);
            Assert.Equal(i < 1000 % 32 ? 32 : 31, view.DataSize);
        }
    }

    [Fact]
    public void Each_set_chains_the_previous_sets_root_and_the_first_chains_the_parent_block_id()
    {
        var parentId = Hash.Compute("the parent's last set"u8);
        ShreddedSlot shredded = Shred(RandomBytes(3 * Shredder.DataPerSet + 5, 2), parentBlockId: parentId);
        Assert.Equal(4, shredded.Sets.Count);
        for (int s = 0; s < 4; s++)
        {
            Hash expected = s == 0 ? parentId : shredded.Sets[s - 1].Root;
            Assert.Equal(expected, shredded.Sets[s].ChainedRoot);
            for (int leaf = 0; leaf < 64; leaf++)
            {
                ShredView.TryParse(shredded.Sets[s].Shred(shredded.Buffers[s], leaf), out ShredView view);
                Assert.Equal(expected, view.ChainedRoot);
            }
        }
        Assert.Equal(shredded.Sets[3].Root, shredded.BlockId);
        Assert.Equal(shredded.Sets[3].Root, shredded.Sets[3].BlockId);
        Assert.True(shredded.Sets[2].BlockId.IsZero);
    }

    [Fact]
    public void An_empty_slot_is_one_set_of_empty_data_shreds_that_deshreds_to_nothing()
    {
        ShreddedSlot shredded = Shred([]);
        Assert.Single(shredded.Sets);
        Deshredder deshredder = Deshred(shredded);
        Assert.True(deshredder.IsComplete);
        Assert.Equal(0, deshredder.Entries.Length);
        Assert.Equal(shredded.BlockId, deshredder.BlockId);
    }

    [Fact]
    public void A_full_set_is_taken_only_once_more_than_one_sets_data_is_pending()
    {
        Shredder shredder = new(Leader, Version);
        shredder.BeginSlot(10, 9, default);
        byte[] buffer = new byte[Shredder.SetBufferSize];
        Assert.True(shredder.TryAppend(RandomBytes(Shredder.DataPerSet, 3)));
        Assert.False(shredder.TryTakeFullSet(buffer, out _));
        Assert.True(shredder.TryAppend(new byte[1]));
        Assert.True(shredder.TryTakeFullSet(buffer, out ShreddedFecSet first));
        Assert.False(first.IsLastInSlot);
        Assert.Equal(1, shredder.PendingBytes);
        ShreddedFecSet last = shredder.FinishSlot(buffer);
        Assert.True(last.IsLastInSlot);
        Assert.Equal(first.Root, last.ChainedRoot);
        Assert.False(shredder.InSlot);
    }

    [Fact]
    public void A_slot_past_1024_sets_of_data_refuses_more_bytes()
    {
        Shredder shredder = new(Leader, Version);
        shredder.BeginSlot(10, 9, default);
        Assert.True(shredder.TryAppend(new byte[Shredder.MaxSlotBytes]));
        Assert.False(shredder.TryAppend(new byte[1]));
        Assert.Equal(Shredder.MaxSlotBytes, shredder.PendingBytes);
    }

    [Fact]
    public void Shredding_and_deshredding_a_slot_allocate_nothing_in_steady_state()
    {
        Shredder shredder = new(Leader, Version);
        Deshredder deshredder = new();
        byte[] data = RandomBytes(2 * Shredder.DataPerSet + 700, 4);
        byte[] buffer = new byte[Shredder.SetBufferSize];
        void Slot()
        {
            shredder.BeginSlot(20, 19, default);
            deshredder.Begin(20, Version);
            for (int offset = 0; offset < data.Length; offset += 4096)
            {
                shredder.TryAppend(data.AsSpan(offset, Math.Min(4096, data.Length - offset)));
                while (shredder.TryTakeFullSet(buffer, out _))
                {
                    for (int i = 0; i < 32; i++) deshredder.TryAdd(buffer.AsSpan(i * Shredder.Stride, ShredLayout.DataShredSize));
                }
            }
            shredder.FinishSlot(buffer);
            for (int i = 0; i < 32; i++) deshredder.TryAdd(buffer.AsSpan(i * Shredder.Stride, ShredLayout.DataShredSize));
            Assert.True(deshredder.IsComplete);
        }
        Assert.Equal(0, Allocations.Measure(3, Slot));
    }

    [Fact]
    public void Any_32_of_a_chained_sets_64_shreds_rebuild_the_whole_set_byte_for_byte()
    {
        ShreddedSlot shredded = Shred(RandomBytes(Shredder.DataPerSet + 9000, 5), parentBlockId: Hash.Compute("p"u8));
        Gen<(int Set, int Seed)> cases = from set in Gen.Choose(0, 1) from seed in Gen.Choose(0, int.MaxValue) select (set, seed);
        FecSetRecovery recovery = new();
        Check.One(Quick.WithMaxTest(60), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            ShreddedFecSet set = shredded.Sets[c.Set];
            byte[] buffer = shredded.Buffers[c.Set];
            int[] leaves = Enumerable.Range(0, 64).ToArray();
            new Random(c.Seed).Shuffle(leaves);
            recovery.Reset();
            foreach (int leaf in leaves.Take(32))
            {
                if (recovery.TryAdd(set.Shred(buffer, leaf), out _) != FecShredStatus.Added) return false;
            }
            if (recovery.TryRecover() != FecRecoverStatus.Recovered || recovery.ChainedRoot != set.ChainedRoot) return false;
            for (int leaf = 0; leaf < 64; leaf++)
            {
                if (!recovery.Shred(leaf).SequenceEqual(set.Shred(buffer, leaf))) return false;
            }
            return true;
        }));
    }

    [Fact]
    public void A_flipped_chained_root_breaks_the_leaders_signature()
    {
        ShreddedSlot shredded = Shred(RandomBytes(5000, 6));
        foreach (int leaf in new[] { 0, 31, 32, 63 })
        {
            byte[] shred = shredded.Sets[0].Shred(shredded.Buffers[0], leaf).ToArray();
            ShredView.TryParse(shred, out ShredView genuine);
            Assert.True(genuine.VerifyLeaderSignature(Leader.PublicKey, out _));
            shred[ShredLayout.ChainedRootOffset(genuine.Kind, genuine.ProofDepth) + 7] ^= 0x10;
            Assert.True(ShredView.TryParse(shred, out ShredView flipped).IsOk);
            Assert.False(flipped.VerifyLeaderSignature(Leader.PublicKey, out _));
        }
    }

    [Fact]
    public void A_signature_over_the_bare_root_without_the_shred_root_domain_tag_does_not_verify()
    {
        ShreddedSlot shredded = Shred(RandomBytes(100, 7));
        byte[] shred = shredded.Sets[0].Shred(shredded.Buffers[0], 0).ToArray();
        byte[] bare = new byte[64];
        Leader.Sign(shredded.Sets[0].Root.Span, bare);
        ShredWriter.WriteSignature(shred, bare);
        ShredView.TryParse(shred, out ShredView view);
        Assert.False(view.VerifyLeaderSignature(Leader.PublicKey, out Hash root));
        Assert.Equal(shredded.Sets[0].Root, root);
    }
}
