using System.Globalization;

namespace Fast.Node.Validator;

/// <summary>One UDP socket buffer sysctl below what the validator wants (<see cref="Current"/> null: unreadable).</summary>
public readonly record struct SysctlShortfall(string Name, long? Current, long Wanted);

/// <summary>
/// The start-up check of the kernel's UDP socket buffer limits (net.core.rmem_max, rmem_default,
/// wmem_max, wmem_default), read from <c>/proc/sys</c> the way Agave's validator does before it
/// binds: with Linux's defaults (~208 KiB) a burst of shreds or transactions overflows the socket
/// and the kernel drops it silently. Below <see cref="WantedBytes"/> the validator warns with the
/// exact `sysctl -w` command that fixes it — a warning, never a refusal (a laptop devnet runs fine
/// without); `fast validator --no-os-network-limits-test` silences it. Runs once on the CLI thread;
/// the /proc root is a parameter so tests use a fake one.
/// </summary>
public static class UdpBufferSysctls
{
    /// <summary>Agave's value for all four (core/src/system_monitor_service.rs, its recommended OS network limits): 128 MiB.</summary>
    public const long WantedBytes = 134_217_728;

    /// <summary>The sysctls checked, in the order the fix names them.</summary>
    public static readonly string[] Names = ["net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max"];

    /// <summary>The sysctls under <paramref name="procRoot"/> that are below <see cref="WantedBytes"/> or cannot be read; empty when all are fine.</summary>
    public static IReadOnlyList<SysctlShortfall> Check(string procRoot = "/proc")
    {
        List<SysctlShortfall> shortfalls = [];
        foreach (string name in Names)
        {
            long? current = Read(procRoot, name);
            if (current is null || current < WantedBytes) shortfalls.Add(new SysctlShortfall(name, current, WantedBytes));
        }
        return shortfalls;
    }

    /// <summary>
    /// The warning lines for <paramref name="shortfalls"/> (none when empty): what is low, and the
    /// `sysctl -w` command (plus how to keep it across reboots). Unreadable values — no /proc/sys, as
    /// on a non-Linux host or in some containers — get one line saying the check could not run.
    /// </summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyList<SysctlShortfall> shortfalls)
    {
        List<string> lines = [];
        List<SysctlShortfall> low = [.. shortfalls.Where(s => s.Current is not null)];
        List<string> unreadable = [.. shortfalls.Where(s => s.Current is null).Select(s => s.Name)];
        if (low.Count > 0)
        {
            string what = string.Join(", ", low.Select(s => $"{s.Name}={s.Current!.Value.ToString(CultureInfo.InvariantCulture)}"));
            string fix = string.Join(' ', low.Select(s => $"{s.Name}={s.Wanted.ToString(CultureInfo.InvariantCulture)}"));
            lines.Add($"warning: UDP socket buffers are too small for a validator ({what}; want {WantedBytes.ToString(CultureInfo.InvariantCulture)}): bursts of packets will be dropped by the kernel");
            lines.Add($"warning: fix with: sudo sysctl -w {fix}");
            lines.Add("warning: to keep it across reboots put those lines in /etc/sysctl.d/21-fast-validator.conf (see docs/operating.md); --no-os-network-limits-test silences this");
        }
        if (unreadable.Count > 0)
        {
            lines.Add($"warning: cannot read {string.Join(", ", unreadable)} under /proc/sys: UDP socket buffer limits not checked");
        }
        return lines;
    }

    private static long? Read(string procRoot, string name)
    {
        string path = Path.Combine([procRoot, "sys", .. name.Split('.')]);
        try
        {
            string text = File.ReadAllText(path).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
