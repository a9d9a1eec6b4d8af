using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fast.Cluster.Tests.Infrastructure;
using Fast.Core.Primitives;
using Fast.Crypto;
using Xunit;

namespace Fast.Cluster.Tests;

/// <summary>
/// WebSocket PubSub of a real `fast validator` (RPC port + 1) through a raw WebSocket client
/// (System.Net.WebSockets): slot and root subscriptions, then a transfer sent by the CLI seen through
/// every kind of subscription — account, program, logs, block and signature (confirmed and finalized,
/// each notified once and then ended) — in Solana's notification shapes, and counted in /metrics.
/// </summary>
[Collection("cluster")]
public class PubSubTests
{
    private const string SystemProgram = "11111111111111111111111111111111";

    private sealed class Client(ClientWebSocket ws) : IDisposable
    {
        private int _nextId = 1;

        /// <summary>Subscription id → its method's notification name.</summary>
        public Dictionary<ulong, string> Subscriptions { get; } = [];

        public async Task<ulong> SubscribeAsync(string method, string parameters)
        {
            int id = _nextId++;
            await SendAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{parameters}}}");
            while (true)
            {
                JsonElement message = await ReceiveFromSocketAsync();
                if (message.TryGetProperty("id", out JsonElement answered) && answered.GetInt32() == id)
                {
                    ulong subscription = message.GetProperty("result").GetUInt64();
                    Subscriptions[subscription] = method.Replace("Subscribe", "Notification", StringComparison.Ordinal);
                    return subscription;
                }
                Pending.Add(message); // a notification that arrived first
            }
        }

        public List<JsonElement> Pending { get; } = [];

        public async Task SendAsync(string json)
        {
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
            await ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
        }

        public async Task<JsonElement> ReceiveAsync(double seconds = 30)
        {
            if (Pending.Count > 0)
            {
                JsonElement first = Pending[0];
                Pending.RemoveAt(0);
                return first;
            }
            return await ReceiveFromSocketAsync(seconds);
        }

        private async Task<JsonElement> ReceiveFromSocketAsync(double seconds = 30)
        {
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(seconds));
            using MemoryStream message = new();
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                WebSocketReceiveResult result = await ws.ReceiveAsync(buffer, timeout.Token);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage) break;
            }
            return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
        }

        public void Dispose() => ws.Dispose();
    }

    private static async Task<Client> ConnectAsync(SingleValidator node)
    {
        ClientWebSocket ws = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(node.PubSubUrl, timeout.Token);
        return new Client(ws);
    }

    [Fact]
    public async Task A_cli_transfer_is_seen_through_every_kind_of_subscription_in_solanas_shapes()
    {
        using SingleValidator node = new("pubsub-test", "--root-distance", "2");
        await node.StartAsync();
        using Client client = await ConnectAsync(node);
        string aliceKey = new Pubkey(Keypair.Generate().PublicKey).ToString();

        ulong slots = await client.SubscribeAsync("slotSubscribe", "[]");
        ulong roots = await client.SubscribeAsync("rootSubscribe", "[]");
        ulong account = await client.SubscribeAsync("accountSubscribe", $"[\"{aliceKey}\",{{\"commitment\":\"confirmed\",\"encoding\":\"base64\"}}]");
        ulong program = await client.SubscribeAsync("programSubscribe", $"[\"{SystemProgram}\",{{\"commitment\":\"confirmed\",\"encoding\":\"base64\",\"filters\":[{{\"dataSize\":0}}]}}]");
        ulong logs = await client.SubscribeAsync("logsSubscribe", $"[{{\"mentions\":[\"{aliceKey}\"]}},{{\"commitment\":\"confirmed\"}}]");
        ulong block = await client.SubscribeAsync("blockSubscribe", $"[{{\"mentionsAccountOrProgram\":\"{aliceKey}\"}},{{\"commitment\":\"confirmed\",\"transactionDetails\":\"signatures\",\"showRewards\":false}}]");

        (int exit, string output) = FastProcess.Run(TimeSpan.FromSeconds(60), "transfer", "--from", node.FaucetPath, "--to", aliceKey, "--amount", "1000000", "--url", node.Url);
        Assert.True(exit == 0, output);
        string signature = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
        Assert.True(Signature.TryParse(signature, out _), output);
        ulong confirmedSignature = await client.SubscribeAsync("signatureSubscribe", $"[\"{signature}\",{{\"commitment\":\"confirmed\"}}]");
        ulong finalizedSignature = await client.SubscribeAsync("signatureSubscribe", $"[\"{signature}\",{{\"commitment\":\"finalized\"}}]");

        // Collect until each subscription has said what it should.
        Dictionary<ulong, JsonElement> seen = [];
        bool Done() => new[] { slots, roots, account, program, logs, block, confirmedSignature, finalizedSignature }.All(seen.ContainsKey);
        var clock = Stopwatch.StartNew();
        int signatureNotifications = 0;
        while (!Done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"missing notifications for {string.Join(", ", client.Subscriptions.Where(s => !seen.ContainsKey(s.Key)).Select(s => s.Value))}");
            JsonElement message = await client.ReceiveAsync();
            Assert.Equal("2.0", message.GetProperty("jsonrpc").GetString());
            JsonElement parameters = message.GetProperty("params");
            ulong subscription = parameters.GetProperty("subscription").GetUInt64();
            Assert.Equal(client.Subscriptions[subscription], message.GetProperty("method").GetString());
            JsonElement result = parameters.GetProperty("result");
            if (subscription == program && result.GetProperty("value").GetProperty("pubkey").GetString() != aliceKey) continue; // the faucet's own account
            if (subscription == confirmedSignature || subscription == finalizedSignature) signatureNotifications++;
            seen.TryAdd(subscription, result);
        }

        JsonElement slot = seen[slots];
        Assert.True(slot.GetProperty("slot").GetUInt64() > slot.GetProperty("parent").GetUInt64());
        Assert.True(slot.GetProperty("root").GetUInt64() <= slot.GetProperty("slot").GetUInt64());
        Assert.True(seen[roots].GetUInt64() > 0);

        JsonElement accountValue = seen[account].GetProperty("value");
        Assert.True(seen[account].GetProperty("context").GetProperty("slot").GetUInt64() > 0);
        Assert.Equal(1_000_000UL, accountValue.GetProperty("lamports").GetUInt64());
        Assert.Equal(SystemProgram, accountValue.GetProperty("owner").GetString());
        Assert.Equal(["", "base64"], accountValue.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
        Assert.False(accountValue.GetProperty("executable").GetBoolean());
        Assert.Equal(0, accountValue.GetProperty("space").GetInt32());

        Assert.Equal(1_000_000UL, seen[program].GetProperty("value").GetProperty("account").GetProperty("lamports").GetUInt64());

        JsonElement logValue = seen[logs].GetProperty("value");
        Assert.Equal(signature, logValue.GetProperty("signature").GetString());
        Assert.Equal(JsonValueKind.Null, logValue.GetProperty("err").ValueKind);
        Assert.Equal([$"Program {SystemProgram} invoke [1]", $"Program {SystemProgram} success"], logValue.GetProperty("logs").EnumerateArray().Select(l => l.GetString()));

        JsonElement blockValue = seen[block].GetProperty("value");
        ulong txSlot = blockValue.GetProperty("slot").GetUInt64();
        Assert.Equal(txSlot, seen[block].GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Contains(signature, blockValue.GetProperty("block").GetProperty("signatures").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, blockValue.GetProperty("err").ValueKind);
        Assert.Equal(txSlot, seen[logs].GetProperty("context").GetProperty("slot").GetUInt64());

        foreach (ulong s in new[] { confirmedSignature, finalizedSignature })
        {
            Assert.Equal(txSlot, seen[s].GetProperty("context").GetProperty("slot").GetUInt64());
            Assert.Equal(JsonValueKind.Null, seen[s].GetProperty("value").GetProperty("err").ValueKind);
        }
        Assert.Equal(2, signatureNotifications);

        // A signature subscription ends with its notification: unsubscribing it is Solana's invalid-id error.
        await client.SendAsync($"{{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"signatureUnsubscribe\",\"params\":[{confirmedSignature}]}}");
        JsonElement answer;
        do
        {
            answer = await client.ReceiveAsync();
        }
        while (!answer.TryGetProperty("id", out _));
        Assert.Equal("Invalid subscription id.", answer.GetProperty("error").GetProperty("message").GetString());

        using HttpClient http = new();
        string metrics = await http.GetStringAsync($"{node.Url}/metrics");
        Assert.Contains("fast_pubsub_connections 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("fast_pubsub_subscriptions 6\n", metrics, StringComparison.Ordinal);
        string notifications = metrics.Split('\n').Single(l => l.StartsWith("fast_pubsub_notifications_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(notifications.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 8, notifications);
        Assert.Equal(0, node.Process.Stop(TimeSpan.FromSeconds(60)));
    }
}
