using System.Runtime.InteropServices;

namespace Fast.Exec.Scheduling;

/// <summary>
/// CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), in nanoseconds: how long a thread
/// really worked, not counting time it was preempted — so the scheduler's serial/parallel split reads
/// the same on a busy shared machine as on a quiet one. About 50 ns a call; used once per batch (and by the
/// simulator for each node group's CPU per step).
/// </summary>
public static unsafe partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    public static long NowNanoseconds()
    {
        TimeSpec time;
        return ClockGetTime(ClockThreadCpuTime, &time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : 0;
    }
}
