using System.Runtime.InteropServices;

namespace Fast.Simulation;

/// <summary>
/// The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID), in nanoseconds: what a node group
/// really cost in a step, not counting the time its thread waited for a core, so the breakdown on
/// stderr reads the same on a busy machine as on a quiet one. Zero where the clock is not there.
/// </summary>
internal static unsafe partial class ThreadCpuClock
{
    private const int ThreadCpuTimeClock = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    public static long Nanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        TimeSpec t;
        return ClockGetTime(ThreadCpuTimeClock, &t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
    }
}
