using System.Globalization;
using System.Runtime.InteropServices;

namespace Fast.Node.Validator;

/// <summary>
/// A validator started by the devnet launcher dies with it: the launcher sets
/// <see cref="EnvironmentVariable"/> to its pid, and the validator asks the kernel for SIGTERM when
/// its parent dies (PR_SET_PDEATHSIG, so the usual clean stop frees the ports), then checks that the
/// parent is still the launcher (it may have died before the request was made). Linux only; a no-op
/// elsewhere or without the variable. The launcher must start validators from a thread that lives as
/// long as it does (the kernel signals when the forking thread exits): DevnetLauncher uses the main thread.
/// </summary>
internal static partial class ParentDeath
{
    public const string EnvironmentVariable = "FAST_DIE_WITH_PARENT_PID";

    private const int PrSetPdeathsig = 1; // PR_SET_PDEATHSIG
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();

    /// <summary>Arms the signal when asked to; returns why the node must stop now (the launcher is already gone), or null.</summary>
    public static string? Arm()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (value is null || !OperatingSystem.IsLinux()) return null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int launcher) || launcher <= 0)
        {
            return $"{EnvironmentVariable}='{value}' is not a process id";
        }
        if (Prctl(PrSetPdeathsig, SigTerm, 0, 0, 0) != 0)
        {
            return $"prctl(PR_SET_PDEATHSIG) failed (errno {Marshal.GetLastPInvokeError()})";
        }
        int parent = GetParentPid();
        return parent == launcher ? null : $"the devnet launcher (pid {launcher}) is gone (parent is now pid {parent}); stopping";
    }
}
