using System.Runtime.InteropServices;

namespace Fast.Core.Platform;

/// <summary>
/// Pins the calling thread to CPU cores (Linux sched_setaffinity). The one OS helper that lives in
/// core, because every layer's stage threads (PoH, sigverify, Sealevel workers, network) pin with
/// it; it starts no thread and keeps no state.
/// </summary>
public static unsafe partial class CpuAffinity
{
    /// <summary>cpu_set_t is 1024 bits on glibc.</summary>
    private const int CpuSetBytes = 128;

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint cpuSetSize, byte* mask);

    /// <summary>Pins the current thread to <paramref name="core"/>; false (with the errno) when the OS refuses, e.g. no such core.</summary>
    public static bool TryPinCurrentThread(int core, out int errno) => TryPinCurrentThread([core], out errno);

    /// <summary>Pins the current thread to the given cores.</summary>
    public static bool TryPinCurrentThread(ReadOnlySpan<int> cores, out int errno)
    {
        errno = 0;
        byte* mask = stackalloc byte[CpuSetBytes];
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
        if (SchedSetAffinity(0, CpuSetBytes, mask) == 0) return true;
        errno = Marshal.GetLastPInvokeError();
        return false;
    }
}
