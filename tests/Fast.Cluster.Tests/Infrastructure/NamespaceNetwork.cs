using System.Diagnostics;
using System.Globalization;

namespace Fast.Cluster.Tests.Infrastructure;

/// <summary>
/// N Linux network namespaces ("hosts"), each with one veth end and address 10.77.0.(10+i)/24, the
/// other ends on a bridge in the test's namespace (address 10.77.0.1, so the test reaches every
/// host's RPC). Optional random loss on a UDP port inside every host, made by nftables
/// (<c>numgen random mod 10 0 drop</c>: the kernel here has no tc netem). Removed on dispose, and
/// leftovers of a killed run are removed before building. Needs root, `ip` and `nft`.
/// </summary>
public sealed class NamespaceNetwork : IDisposable
{
    private const string Bridge = "fastbr0";
    private readonly int _hosts;

    public NamespaceNetwork(int hosts)
    {
        _hosts = hosts;
        Require("ip");
        Require("nft");
        TearDown();
        Run("ip", "link", "add", Bridge, "type", "bridge");
        Run("ip", "addr", "add", "10.77.0.1/24", "dev", Bridge);
        Run("ip", "link", "set", Bridge, "up");
        for (int i = 0; i < hosts; i++)
        {
            string ns = NamespaceOf(i);
            Run("ip", "netns", "add", ns);
            Run("ip", "link", "add", $"fastv{i}", "type", "veth", "peer", "name", $"fastp{i}");
            Run("ip", "link", "set", $"fastp{i}", "master", Bridge, "up");
            Run("ip", "link", "set", $"fastv{i}", "netns", ns);
            Run("ip", "-n", ns, "addr", "add", $"{AddressOf(i)}/24", "dev", $"fastv{i}");
            Run("ip", "-n", ns, "link", "set", $"fastv{i}", "up");
            Run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    public static string NamespaceOf(int host) => "fastns" + host.ToString(CultureInfo.InvariantCulture);

    public static string AddressOf(int host) => "10.77.0." + (10 + host).ToString(CultureInfo.InvariantCulture);

    /// <summary>Drops one packet in <paramref name="oneIn"/>, at random, of the UDP traffic arriving at <paramref name="port"/> on every host.</summary>
    public void DropAtRandom(int port, int oneIn)
    {
        string rules = $"table inet fastloss {{\n chain input {{\n  type filter hook input priority 0; policy accept;\n  udp dport {port} numgen random mod {oneIn} 0 counter drop\n }}\n}}\n";
        for (int i = 0; i < _hosts; i++) Run("ip", ["netns", "exec", NamespaceOf(i), "nft", "-f", "-"], rules);
    }

    /// <summary>Packets the loss rule dropped on <paramref name="host"/> so far (its nftables counter).</summary>
    public static long DroppedOn(int host)
    {
        (int code, string output) = Capture("ip", "netns", "exec", NamespaceOf(host), "nft", "list", "table", "inet", "fastloss");
        if (code != 0) throw new InvalidOperationException($"no loss rule on host {host}: {output.Trim()}");
        int at = output.IndexOf("counter packets ", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"the loss rule on host {host} has no counter: {output.Trim()}");
        string rest = output[(at + "counter packets ".Length)..];
        return long.Parse(rest[..rest.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }

    private static void Require(string tool)
    {
        if (Capture("sh", "-c", $"command -v {tool}").Code != 0) throw new InvalidOperationException($"the network-namespace test needs `{tool}` (Debian: apt-get install {(tool == "nft" ? "nftables" : "iproute2")}) and root");
    }

    private void TearDown()
    {
        for (int i = 0; i < Math.Max(_hosts, 16); i++)
        {
            Capture("ip", "netns", "del", NamespaceOf(i));
            Capture("ip", "link", "del", $"fastp{i}");
        }
        Capture("ip", "link", "del", Bridge);
    }

    private static void Run(string file, params string[] args) => Run(file, args, null);

    private static void Run(string file, string[] args, string? input)
    {
        (int code, string output) = Capture(file, args, input);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output.Trim()}");
    }

    private static (int Code, string Output) Capture(string file, params string[] args) => Capture(file, args, null);

    private static (int Code, string Output) Capture(string file, string[] args, string? input)
    {
        ProcessStartInfo start = new(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    public void Dispose() => TearDown();
}
