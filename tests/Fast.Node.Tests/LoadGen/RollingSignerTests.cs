using System.Diagnostics;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Node.LoadGen;
using Xunit;

namespace Fast.Node.Tests.LoadGen;

public class RollingSignerTests
{
    private const int Margin = RollingSignerOptions.DefaultMaxSendAgeSlots;

    /// <summary>A clock the test moves: Stopwatch ticks, starting at an arbitrary point.</summary>
    private sealed class FakeTime
    {
        public long Now = 1_000_000;

        public void AdvanceSlots(double slots, double slotMs) => Now += (long)(slots * slotMs / 1000 * Stopwatch.Frequency);
    }

    private static Keypair[] Accounts(int n) => [.. Enumerable.Range(0, n).Select(_ => Keypair.Generate())];

    [Fact]
    public void No_window_is_handed_to_the_sender_once_its_blockhash_is_older_than_the_margin()
    {
        FakeTime time = new();
        SlotClock slots = new();
        slots.Observe(100, time.Now);
        using RollingSigner signer = new(Accounts(8), slots, new RollingSignerOptions(16, 4, Margin), () => time.Now);
        signer.SetBlockhash(Hash.Compute("a"u8), 100);
        Assert.Equal(4, signer.PreFill());

        // Exactly at the margin (by the assumed 400 ms slot, the shortest the clock supposes) it may still go.
        time.AdvanceSlots(Margin, SlotClock.AssumedSlotMs);
        Assert.True(signer.TryTake(out TransferWindow? atMargin));
        Assert.Equal(100UL, atMargin.BlockhashSlot);
        signer.Return(atMargin);

        // One slot past the margin nothing is handed out; the three windows still queued are discarded unsent.
        time.AdvanceSlots(1.01, SlotClock.AssumedSlotMs);
        Assert.False(signer.TryTake(out _));
        Assert.Equal(3 * 16, signer.DiscardedStale);
        Assert.False(signer.IsFresh(100));
    }

    [Fact]
    public void The_signer_keeps_only_the_lead_the_send_rate_needs()
    {
        // A lead sized for the top rate, kept at a low one, holds windows until they go stale (seen: 12,800 transfers
        // discarded in a 40 s run at 200 ms slots on a starved node). The controller sets the lead from the send rate.
        FakeTime time = new();
        SlotClock slots = new();
        slots.Observe(10, time.Now);
        using RollingSigner signer = new(Accounts(4), slots, new RollingSignerOptions(100, 40, Margin), () => time.Now);
        signer.SetBlockhash(Hash.Compute("lead"u8), 10);
        signer.SetLead(1000 * 0.25);
        Assert.Equal(3, signer.PreFill());
        Assert.False(signer.TrySignWindow());
        Assert.True(signer.TryTake(out TransferWindow? window));
        signer.Return(window);
        Assert.True(signer.TrySignWindow());
        Assert.Equal(3, signer.Ready);
        signer.SetLead(1e9);
        Assert.Equal(37, signer.PreFill());
        Assert.Equal(40, signer.Ready);
    }

    [Fact]
    public void The_signer_never_signs_with_a_blockhash_already_past_the_margin()
    {
        FakeTime time = new();
        SlotClock slots = new();
        slots.Observe(300, time.Now);
        using RollingSigner signer = new(Accounts(4), slots, new RollingSignerOptions(8, 2, Margin), () => time.Now);
        signer.SetBlockhash(Hash.Compute("old"u8), 300 - (ulong)Margin - 1);
        Assert.False(signer.TrySignWindow());
        Assert.Equal(0, signer.Signed);
        Assert.Equal(0, signer.PreFill());
    }

    [Theory]
    [InlineData(12, false)]
    [InlineData(150, false)] // more than one batch of the batch signer (64), the last one partial
    [InlineData(12, true)]
    public void Windows_signed_after_a_refresh_name_the_new_blockhash_and_every_transfer_verifies(int windowSize, bool constantTime)
    {
        FakeTime time = new();
        SlotClock slots = new();
        slots.Observe(10, time.Now);
        Keypair[] accounts = Accounts(6);
        using RollingSigner signer = new(accounts, slots, new RollingSignerOptions(windowSize, 3, Margin, constantTime), () => time.Now);
        var first = Hash.Compute("first"u8);
        var second = Hash.Compute("second"u8);
        signer.SetBlockhash(first, 10);
        Assert.True(signer.TrySignWindow());
        time.AdvanceSlots(2, 600);
        slots.Observe(12, time.Now);
        signer.SetBlockhash(second, 12);
        Assert.True(signer.TrySignWindow());

        HashSet<Signature> seen = [];
        foreach (Hash expected in new[] { first, second })
        {
            Assert.True(signer.TryTake(out TransferWindow? window));
            Assert.Equal(expected, window.Blockhash);
            for (int i = 0; i < window.Capacity; i++)
            {
                Assert.True(TransactionView.TryParse(window.Transaction(i), out TransactionView tx).IsOk);
                Assert.Equal(expected, tx.RecentBlockhash);
                Assert.True(Schnorr.Verify(tx.GetAccountKeyBytes(0), tx.Message, tx.GetSignatureBytes(0)));
                Assert.Equal(tx.FirstSignature, window.Signatures[i]);
                Assert.True(seen.Add(tx.FirstSignature));
                // Transfer k is from account k mod N to account (k + N/2) mod N.
                long k = window.FirstIndex + i;
                Assert.Equal(new Pubkey(accounts[k % accounts.Length].PublicKey), tx.GetAccountKey(0));
                Assert.Equal(new Pubkey(accounts[(k + accounts.Length / 2) % accounts.Length].PublicKey), tx.GetAccountKey(1));
            }
            signer.Return(window);
        }
        Assert.Equal(2 * windowSize, seen.Count);
        Assert.Equal(0, signer.DiscardedStale);
    }

    [Fact]
    public void Over_a_long_run_with_refresh_gaps_no_transfer_reaches_the_sender_with_a_blockhash_older_than_the_margin()
    {
        // A simulated run of 2,000 slots of 600 ms: the controller refreshes every ~2 slots but the node stops answering
        // for long stretches (a stall, a slow checkpoint); the sender takes windows at a varying pace. Whatever is
        // handed to the sender must name a blockhash within the margin of the node's real slot.
        const double SlotMs = 600;
        FakeTime time = new();
        SlotClock slots = new();
        DeterministicPace pace = new(7);
        ulong realSlot = 1;
        slots.Observe(realSlot, time.Now);
        using RollingSigner signer = new(Accounts(4), slots, new RollingSignerOptions(4, 8, Margin), () => time.Now);
        signer.SetBlockhash(Hash.Compute(BitConverter.GetBytes(realSlot)), realSlot);
        int taken = 0;
        while (realSlot < 2000)
        {
            time.AdvanceSlots(0.5, SlotMs);
            realSlot = 1 + (ulong)((time.Now - 1_000_000) / (SlotMs / 1000 * Stopwatch.Frequency));
            bool nodeAnswers = (realSlot / 200) % 2 == 0 || realSlot % 200 > 180; // silent for ~180 slots out of every 400
            if (nodeAnswers && pace.Next(3) == 0)
            {
                slots.Observe(realSlot, time.Now);
                signer.SetBlockhash(Hash.Compute(BitConverter.GetBytes(realSlot)), realSlot);
            }
            signer.TrySignWindow();
            for (int n = pace.Next(3); n > 0; n--)
            {
                if (!signer.TryTake(out TransferWindow? window)) break;
                Assert.True(realSlot - window.BlockhashSlot <= Margin, $"slot {realSlot}: handed a window of slot {window.BlockhashSlot}");
                signer.Return(window);
                taken++;
            }
        }
        Assert.True(taken > 1000, $"only {taken} windows were taken");
        Assert.True(signer.DiscardedStale > 0, "the silent stretches should have made some signed windows stale");
    }

    /// <summary>A tiny seeded generator for the simulated pace (no System.Random in tests of timing logic).</summary>
    private sealed class DeterministicPace(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int below)
        {
            _state = _state * 6364136223846793005UL + 1442695040888963407UL;
            return (int)((_state >> 33) % (ulong)below);
        }
    }
}
