using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fast.Simulation;

/// <summary>What the simulation spends its wall time on (see <see cref="PhaseClock"/>).</summary>
internal enum SimPhase
{
    /// <summary>Shreds received: Turbine, erasure recovery, deshredding, and the replays they complete (<see cref="Replay"/>).</summary>
    Shreds,
    /// <summary>Whole blocks through the replay machine and the banks (inside <see cref="Shreds"/> and <see cref="Repair"/>).</summary>
    Replay,
    Gossip,
    Repair,
    NodeTicks,
    PeerRefresh,
    /// <summary>The cluster's events between steps: slot starts, the leaders' production, crashes (event thread, wall time).</summary>
    Cluster,
    /// <summary>The parallel steps, from start to the last group's end (event thread, wall time).</summary>
    NodeSteps,
    Count,
}

/// <summary>
/// Where a run's time goes, by phase (the command line prints it to stderr, never into the report).
/// The nodes' phases are summed over the node threads (each group adds to its own row, so the
/// threads do not contend); <see cref="SimPhase.Cluster"/> and <see cref="SimPhase.NodeSteps"/> are
/// the event thread's wall time, so node work over step time is how well the threads shared it.
/// Measuring costs two timestamp reads per event.
/// </summary>
internal sealed class PhaseClock(int groups)
{
    private const int Stride = 16; // a group's row is its own cache lines
    private readonly long[] _ticks = new long[(groups + 1) * Stride];

    public void Add(int group, SimPhase phase, long startTimestamp) => _ticks[group * Stride + (int)phase] += Stopwatch.GetTimestamp() - startTimestamp;

    public TimeSpan this[SimPhase phase]
    {
        get
        {
            long sum = 0;
            for (int g = 0; g <= groups; g++) sum += _ticks[g * Stride + (int)phase];
            return Stopwatch.GetElapsedTime(0, sum);
        }
    }

    /// <summary>One line: each phase's seconds.</summary>
    public string Summary()
    {
        StringBuilder s = new("time (s):");
        for (SimPhase p = 0; p < SimPhase.Count; p++) s.Append(CultureInfo.InvariantCulture, $" {p} {this[p].TotalSeconds:F1}");
        return s.ToString();
    }
}
