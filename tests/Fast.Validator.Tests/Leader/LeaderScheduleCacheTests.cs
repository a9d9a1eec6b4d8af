using Fast.Core.Consensus;
using Fast.Core.Primitives;
using Fast.Validator.Leader;
using Xunit;

namespace Fast.Validator.Tests.Leader;

/// <summary>
/// <see cref="LeaderScheduleCache"/> over a stakes source: a final answer is kept, a provisional one is
/// used until the source's generation moves and then replaced by what the source says now.
/// </summary>
public class LeaderScheduleCacheTests
{
    private static readonly Hash GenesisHash = Hash.Compute("schedule cache"u8);
    private static Pubkey Key(byte b) => new(Enumerable.Repeat(b, 32).ToArray());

    /// <summary>A source whose answers the test sets: per epoch a stakes list and whether it is final; counts its calls.</summary>
    private sealed class ScriptedStakes : IScheduleStakesSource
    {
        public Dictionary<ulong, ScheduleStakes> Answers { get; } = [];
        public int Calls { get; private set; }
        public ulong Generation { get; set; }

        public ScheduleStakes StakesFor(ulong epoch)
        {
            Calls++;
            return Answers[epoch];
        }
    }

    [Fact]
    public void A_final_schedule_is_computed_once_and_follows_the_sources_stakes()
    {
        ScriptedStakes source = new();
        source.Answers[2] = new ScheduleStakes([(Key(7), 100)], IsFinal: true);
        LeaderScheduleCache cache = new(GenesisHash, 32, source);
        Assert.Equal(Key(7), cache.LeaderAt(64));
        source.Generation = 5;
        Assert.Equal(Key(7), cache.LeaderAt(95));
        Assert.Equal(1, source.Calls);
        Assert.True(cache.IsFinal(2));
    }

    [Fact]
    public void A_provisional_schedule_is_replaced_when_the_generation_moves()
    {
        ScriptedStakes source = new();
        source.Answers[3] = new ScheduleStakes([(Key(1), 100)], IsFinal: false);
        LeaderScheduleCache cache = new(GenesisHash, 32, source);
        Assert.Equal(Key(1), cache.LeaderAt(96));
        Assert.Equal(Key(1), cache.LeaderAt(97)); // same generation: no new question
        Assert.Equal(1, source.Calls);

        source.Answers[3] = new ScheduleStakes([(Key(2), 100)], IsFinal: true); // the root reached the first bank of epoch 2
        source.Generation = 1;
        Assert.Equal(Key(2), cache.LeaderAt(96));
        source.Generation = 2;
        Assert.Equal(Key(2), cache.LeaderAt(127));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public void The_schedule_is_the_one_LeaderSchedule_computes_from_the_epochs_stakes()
    {
        ScriptedStakes source = new();
        (Pubkey, ulong)[] stakes = [(Key(1), 300), (Key(2), 100), (Key(3), 600)];
        source.Answers[4] = new ScheduleStakes(stakes, IsFinal: true);
        LeaderScheduleCache cache = new(GenesisHash, 64, source);
        var expected = LeaderSchedule.Compute(GenesisHash, new Epoch(4), 64, stakes);
        for (ulong slot = 256; slot < 320; slot++)
        {
            Assert.Equal(expected.LeaderAt(slot), cache.LeaderAt(slot));
            Assert.Equal(expected.LeaderAt(slot), LeaderSchedule.LeaderOf(GenesisHash, new Epoch(4), 64, stakes, slot));
        }
    }
}
