using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Node.Client;
using Fast.Node.Rpc;
using Fast.Node.Validator;
using Fast.Testing;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// Issue 14 item 5 end to end, against a real single node with a faucet: an operator with a fresh
/// HOME saves the node's URL with `fast config set`, makes the default keypair, airdrops to it with
/// no flags, and inspects the result with `fast account`, `fast confirm` and `fast block`; then
/// getLargestAccounts ranks the airdropped account once it is rooted, the validator warned about
/// the UDP buffer sysctls exactly when they are low, and every metric the Grafana dashboard charts
/// is in the node's /metrics.
/// </summary>
[Collection("cluster")]
public partial class OperatorCliTests
{
    private static readonly TimeSpan Command = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"\bfast_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [Fact]
    public async Task An_operator_airdrops_with_saved_defaults_inspects_the_result_and_the_node_ranks_and_charts_it()
    {
        using SingleValidator node = new("operator-cli", "--rpc-largest-accounts-refresh-seconds", "1");
        await node.StartAsync("--rpc-faucet-keypair", node.FaucetPath);
        using TempDir home = new("fast-home");
        Dictionary<string, string> env = new() { ["HOME"] = home.Path };
        (int, string, string) Cli(params string[] args) => FastProcess.RunCapturing(env, Command, args);

        (int code, string output, string error) = Cli("keygen");
        Assert.True(code == 0, output);
        string keypair = Path.Combine(home.Path, ".config", "fast", "id.json");
        Assert.True(File.Exists(keypair), output);
        string pubkey = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => !l.Contains(' '));

        (code, output, _) = Cli("config", "set", "--url", node.Url, "--commitment", "confirmed");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(home.Path, ".config", "fast", "cli.json")));
        (code, output, _) = Cli("config", "get", "url");
        Assert.Equal(node.Url, output.Trim());

        // No --url, no PUBKEY: the saved URL and the default keypair.
        (code, output, error) = Cli("airdrop", "5000000");
        Assert.True(code == 0, output);
        Assert.Contains("confirmed in slot", error);
        Assert.Contains($"{pubkey} now holds 5000000 lamports", error);
        string signature = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).First(l => Signature.TryParse(l, out _));

        (code, output, _) = Cli("account", pubkey, "--json");
        Assert.True(code == 0, output);
        using (var account = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{'))))
        {
            Assert.Equal(5_000_000UL, account.RootElement.GetProperty("lamports").GetUInt64());
            Assert.Equal("11111111111111111111111111111111", account.RootElement.GetProperty("owner").GetString());
            Assert.False(account.RootElement.GetProperty("executable").GetBoolean());
            Assert.Equal(0UL, account.RootElement.GetProperty("space").GetUInt64());
            Assert.Equal("", account.RootElement.GetProperty("data").GetString());
        }

        (code, output, _) = Cli("confirm", signature);
        Assert.True(code == 0, output);
        Assert.Contains("Status:        ok", output);
        ulong slot = ulong.Parse(Regex.Match(output, @"Slot:\s+(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        (code, output, _) = Cli("block", slot.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, output);
        Assert.Contains($" {signature}  fee ", output);

        (code, output, _) = Cli("block", "not-a-slot");
        Assert.Equal(2, code);
        Assert.Contains("error: SLOT 'not-a-slot' is not a slot number", output);

        // getLargestAccounts: once the airdrop is rooted, a background scan ranks the account.
        await node.WaitForSlotAsync(slot, "finalized", timeoutSeconds: 90);
        var clock = Stopwatch.StartNew();
        JsonElement ranked;
        while (true)
        {
            try
            {
                ranked = await node.Rpc.CallAsync("getLargestAccounts", w =>
                {
                    w.WriteStartObject();
                    w.WriteString("filter", "circulating");
                    w.WriteEndObject();
                });
                if (ranked.GetProperty("value").EnumerateArray().Any(a => a.GetProperty("address").GetString() == pubkey)) break;
            }
            catch (RpcClientException e) when (e.Code == RpcMethods.LargestAccountsNotReady)
            {
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "getLargestAccounts never ranked the airdropped account");
            await Task.Delay(500);
        }
        JsonElement[] accounts = [.. ranked.GetProperty("value").EnumerateArray()];
        Assert.InRange(accounts.Length, 2, 20);
        Assert.True(ranked.GetProperty("context").GetProperty("slot").GetUInt64() >= slot);
        Assert.Contains(accounts, a => a.GetProperty("address").GetString() == new Pubkey(node.Faucet.PublicKey).ToString()); // genesis' faucet: one of the largest
        ulong[] lamports = [.. accounts.Select(a => a.GetProperty("lamports").GetUInt64())];
        Assert.Equal(lamports.OrderByDescending(l => l), lamports);
        Assert.Equal(5_000_000UL, accounts.Single(a => a.GetProperty("address").GetString() == pubkey).GetProperty("lamports").GetUInt64());

        // Every metric the Grafana dashboard charts is one this validator exports.
        using HttpClient http = new();
        string metrics = await http.GetStringAsync($"{node.Url}/metrics");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.RequireRoot(), "docs", "grafana", "fast-validator.json")));
        List<string> charted = [];
        CollectExpressions(dashboard.RootElement, charted);
        string[] names = [.. charted.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct()];
        Assert.True(names.Length >= 20, $"the dashboard names only {names.Length} metrics");
        string[] missing = [.. names.Where(n => !metrics.Contains($"# TYPE {n} ", StringComparison.Ordinal))];
        Assert.True(missing.Length == 0, "charted but not exported: " + string.Join(", ", missing));

        // The start-up check of the UDP buffer sysctls warned exactly when this machine's are low.
        bool low = UdpBufferSysctls.Check().Any(s => s.Current is not null);
        Assert.Equal(low, node.Process.StandardError.Contains("warning: fix with: sudo sysctl -w net.core.", StringComparison.Ordinal));

        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }

    private static void CollectExpressions(JsonElement element, List<string> expressions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String) expressions.Add(property.Value.GetString()!);
                    else CollectExpressions(property.Value, expressions);
                }
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray()) CollectExpressions(item, expressions);
                break;
        }
    }
}
