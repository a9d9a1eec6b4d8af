using System.Diagnostics;
using Fast.Cluster.Tests.Infrastructure;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// A real Solana client against a real node: web3js/check.mjs runs the published @solana/web3.js 1.x
/// (version pinned in web3js/package-lock.json, installed with `npm ci` beside the test binaries) over
/// every read method its Connection offers that Fast serves; Connection validates each response
/// against Solana's schemas, so a shape that differs fails the call. The library cannot sign Fast's
/// secp256k1 transactions: the node's faucet (requestAirdrop) makes them. Needs Node.js and npm.
/// </summary>
[Collection("cluster")]
public class Web3JsCompatibilityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "web3js");

    [Fact]
    public async Task Solana_web3js_reads_a_fast_node_through_its_own_calls()
    {
        string? node = OnPath("node"), npm = OnPath("npm");
        Assert.True(node is not null && npm is not null, "Node.js and npm are needed for the web3.js compatibility test (apt-get install nodejs npm)");
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@solana", "web3.js")))
        {
            (int installed, string log) = Run(npm!, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund");
            Assert.True(installed == 0, $"npm ci failed in {Folder}: {log.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }

        using SingleValidator validator = new("web3js-test", "--rpc-performance-sample-secs", "1");
        await validator.StartAsync("--rpc-faucet-keypair", validator.FaucetPath);
        (int exit, string output) = Run(node!, TimeSpan.FromMinutes(3), "check.mjs", validator.Url);
        Assert.True(exit == 0, $"web3.js checks failed:\n{output}");
        Assert.Contains(" 0 failed", output);
        Assert.Equal(0, validator.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static (int ExitCode, string Output) Run(string program, TimeSpan timeout, params string[] args)
    {
        ProcessStartInfo start = new(program)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
