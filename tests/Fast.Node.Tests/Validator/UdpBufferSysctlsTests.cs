using Fast.Node.Validator;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Validator;

/// <summary>The start-up check of the UDP socket buffer sysctls, against a fake /proc root.</summary>
public sealed class UdpBufferSysctlsTests : IDisposable
{
    private readonly TempDir _proc = new("fake-proc");

    public void Dispose() => _proc.Dispose();

    private void Write(string name, string value)
    {
        string path = Path.Combine([_proc.Path, "sys", .. name.Split('.')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, value);
    }

    [Fact]
    public void Linux_defaults_are_reported_with_the_exact_sysctl_command_that_fixes_them()
    {
        Write("net.core.rmem_default", "212992\n");
        Write("net.core.rmem_max", "212992\n");
        Write("net.core.wmem_default", "212992\n");
        Write("net.core.wmem_max", "134217728\n"); // already enough

        IReadOnlyList<SysctlShortfall> low = UdpBufferSysctls.Check(_proc.Path);
        Assert.Equal(["net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default"], low.Select(s => s.Name));
        Assert.All(low, s => Assert.Equal(212_992L, s.Current));

        IReadOnlyList<string> lines = UdpBufferSysctls.Warnings(low);
        Assert.All(lines, line => Assert.StartsWith("warning: ", line));
        Assert.Contains("warning: fix with: sudo sysctl -w net.core.rmem_default=134217728 net.core.rmem_max=134217728 net.core.wmem_default=134217728", lines);
        Assert.DoesNotContain(lines, l => l.Contains("wmem_max=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("net.core.rmem_max=212992", StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_at_or_above_128_MiB_give_no_warning()
    {
        foreach (string name in UdpBufferSysctls.Names) Write(name, "268435456");
        Write("net.core.rmem_max", "134217728");
        Assert.Empty(UdpBufferSysctls.Check(_proc.Path));
        Assert.Empty(UdpBufferSysctls.Warnings([]));
    }

    [Fact]
    public void Unreadable_or_garbled_values_say_the_check_could_not_run_instead_of_failing()
    {
        Write("net.core.rmem_default", "lots");
        IReadOnlyList<SysctlShortfall> shortfalls = UdpBufferSysctls.Check(_proc.Path);
        Assert.Equal(4, shortfalls.Count);
        Assert.All(shortfalls, s => Assert.Null(s.Current));
        string line = Assert.Single(UdpBufferSysctls.Warnings(shortfalls));
        Assert.Contains("UDP socket buffer limits not checked", line);
    }

    [Fact]
    public void The_real_proc_is_read_on_this_linux_machine()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc is Linux's
        Assert.All(UdpBufferSysctls.Check(), s => Assert.NotNull(s.Current));
    }
}
