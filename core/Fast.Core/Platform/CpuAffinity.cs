using System.Runtime.InteropServices;

namespace Fast.Core.Platform;

/// <summary>
/// Pins the calling thread, or keeps the whole process, to CPU cores (Linux sched_setaffinity). The
/// one OS helper that lives in core, because every layer's stage threads (PoH, sigverify, Sealevel
/// workers, network) pin with it; it starts no thread and keeps no state.
/// </summary>
public static unsafe partial class CpuAffinity
{
    /// <summary>cpu_set_t is 1024 bits on glibc.</summary>
    private const int CpuSetBytes = 128;

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint cpuSetSize, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nuint cpuSetSize, byte* mask);

    /// <summary>The cores the calling thread may run on (what the process was started with, unless it pinned itself); empty when the OS will not say.</summary>
    public static int[] AllowedCores()
    {
        byte* mask = stackalloc byte[CpuSetBytes];
        new Span<byte>(mask, CpuSetBytes).Clear();
        if (SchedGetAffinity(0, CpuSetBytes, mask) != 0) return [];
        List<int> cores = [];
        for (int core = 0; core < CpuSetBytes * 8; core++)
        {
            if ((mask[core / 8] & (1 << (core % 8))) != 0) cores.Add(core);
        }
        return [.. cores];
    }

    /// <summary>
    /// Keeps every thread the process has now (each entry of /proc/self/task) on <paramref name="cores"/>;
    /// threads started afterwards inherit their creator's cores, so, called before a process starts its
    /// own threads, it keeps the whole process there except threads that pin themselves elsewhere.
    /// False (with the errno) when the OS refuses for a live thread; a thread that exits meanwhile is skipped.
    /// </summary>
    public static bool TryRestrictProcess(ReadOnlySpan<int> cores, out int errno)
    {
        errno = 0;
        byte* mask = stackalloc byte[CpuSetBytes];
        if (!TryFillMask(cores, mask, out errno)) return false;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), out int tid)) continue;
            if (SchedSetAffinity(tid, CpuSetBytes, mask) == 0) continue;
            int error = Marshal.GetLastPInvokeError();
            if (error == 3) continue; // ESRCH: the thread exited
            errno = error;
            return false;
        }
        return true;
    }

    /// <summary>Pins the current thread to <paramref name="core"/>; false (with the errno) when the OS refuses, e.g. no such core.</summary>
    public static bool TryPinCurrentThread(int core, out int errno) => TryPinCurrentThread([core], out errno);

    /// <summary>Pins the current thread to the given cores.</summary>
    public static bool TryPinCurrentThread(ReadOnlySpan<int> cores, out int errno)
    {
        byte* mask = stackalloc byte[CpuSetBytes];
        if (!TryFillMask(cores, mask, out errno)) return false;
        if (SchedSetAffinity(0, CpuSetBytes, mask) == 0) return true;
        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    private static bool TryFillMask(ReadOnlySpan<int> cores, byte* mask, out int errno)
    {
        errno = 0;
        new Span<byte>(mask, CpuSetBytes).Clear();
        foreach (int core in cores)
        {
            if ((uint)core >= CpuSetBytes * 8)
            {
                errno = 22; // EINVAL
                return false;
            }
            mask[core / 8] |= (byte)(1 << (core % 8));
        }
        return true;
    }
}
