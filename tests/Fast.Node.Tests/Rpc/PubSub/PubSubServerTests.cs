using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Rpc;
using Fast.Node.Rpc.PubSub;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc.PubSub;

/// <summary>
/// The PubSub server over a fake backend, driven by a real WebSocket client (ClientWebSocket):
/// Solana's subscribe/notification shapes, signature auto-unsubscribe, account change detection,
/// JSON-RPC errors, and the limits — oversized frames, subscriptions per connection, connections per
/// address, a client that stops reading — each counted.
/// </summary>
public sealed class PubSubServerTests : IAsyncLifetime
{
    private readonly FakeRpcBackend _backend = new();
    private PubSubServer _server = null!;
    private PubSubLimits _limits = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private async Task<ClientWebSocket> StartAndConnectAsync(PubSubLimits? limits = null)
    {
        _limits = limits ?? new PubSubLimits();
        _server = new PubSubServer(new IPEndPoint(IPAddress.Loopback, 0), _backend, _limits);
        _server.Start();
        return await ConnectAsync();
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        ClientWebSocket ws = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.LocalEndPoint.Port}"), timeout.Token);
        return ws;
    }

    internal static async Task SendAsync(ClientWebSocket ws, string json)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        await ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message as JSON (fails after <paramref name="seconds"/>).</summary>
    internal static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws, double seconds = 10)
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

    private static async Task<ulong> SubscribeAsync(ClientWebSocket ws, string method, string parameters, int id = 1)
    {
        await SendAsync(ws, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{parameters}}}");
        JsonElement response = await ReceiveAsync(ws);
        Assert.Equal(id, response.GetProperty("id").GetInt32());
        return response.GetProperty("result").GetUInt64();
    }

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task A_slot_subscription_gets_solanas_slot_notification_for_each_frozen_slot()
    {
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "slotSubscribe", "[]");
        _server.Service.SlotFrozen(101, 100);
        JsonElement notification = await ReceiveAsync(ws);
        Assert.Equal("2.0", notification.GetProperty("jsonrpc").GetString());
        Assert.Equal("slotNotification", notification.GetProperty("method").GetString());
        JsonElement parameters = notification.GetProperty("params");
        Assert.Equal(id, parameters.GetProperty("subscription").GetUInt64());
        JsonElement result = parameters.GetProperty("result");
        Assert.Equal((100UL, _backend.Slot(Commitment.Finalized), 101UL), (result.GetProperty("parent").GetUInt64(), result.GetProperty("root").GetUInt64(), result.GetProperty("slot").GetUInt64()));

        await SendAsync(ws, $"{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"slotUnsubscribe\",\"params\":[{id}]}}");
        Assert.True((await ReceiveAsync(ws)).GetProperty("result").GetBoolean());
        Assert.Equal(0, Interlocked.Read(ref _server.Counters.SubscriptionsActive));
    }

    [Fact]
    public async Task A_root_subscription_gets_the_root_slot()
    {
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "rootSubscribe", "[]");
        _server.Service.SlotRooted(_backend.Slot(Commitment.Finalized) + 1);
        JsonElement notification = await ReceiveAsync(ws);
        Assert.Equal("rootNotification", notification.GetProperty("method").GetString());
        Assert.Equal(_backend.Slot(Commitment.Finalized) + 1, notification.GetProperty("params").GetProperty("result").GetUInt64());
        Assert.Equal(id, notification.GetProperty("params").GetProperty("subscription").GetUInt64());
    }

    [Fact]
    public async Task A_signature_already_at_its_commitment_is_notified_at_once_and_the_subscription_ends()
    {
        Signature signature = new(Enumerable.Range(1, 64).Select(i => (byte)i).ToArray());
        _backend.Statuses[signature] = new SignatureStatus(90, TransactionOutcome.Ok, Commitment.Finalized, null);
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "signatureSubscribe", $"[\"{signature}\",{{\"commitment\":\"confirmed\"}}]");
        JsonElement notification = await ReceiveAsync(ws);
        Assert.Equal("signatureNotification", notification.GetProperty("method").GetString());
        JsonElement result = notification.GetProperty("params").GetProperty("result");
        Assert.Equal(90UL, result.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("value").GetProperty("err").ValueKind);
        Assert.Equal(id, notification.GetProperty("params").GetProperty("subscription").GetUInt64());

        // Auto-unsubscribed: unsubscribing again is Solana's invalid-id error.
        await SendAsync(ws, $"{{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"signatureUnsubscribe\",\"params\":[{id}]}}");
        JsonElement error = (await ReceiveAsync(ws)).GetProperty("error");
        Assert.Equal(RpcError.InvalidParams, error.GetProperty("code").GetInt32());
        Assert.Equal("Invalid subscription id.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_signature_is_notified_when_it_reaches_the_commitment_and_not_before()
    {
        Signature signature = new(Enumerable.Range(2, 64).Select(i => (byte)i).ToArray());
        _backend.Statuses[signature] = new SignatureStatus(99, TransactionOutcome.Ok, Commitment.Processed, 1);
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "signatureSubscribe", $"[\"{signature}\",{{\"commitment\":\"finalized\"}}]");
        _server.Service.SlotFrozen(99, 98);
        _server.Service.SlotConfirmed(100);
        _server.Service.SlotRooted(_backend.Slot(Commitment.Finalized) + 1);
        await WaitForAsync(() => Interlocked.Read(ref _server.Counters.EventsHandled) == 3, "the PubSub thread handled the three events");
        Assert.Equal(0, Interlocked.Read(ref _server.Counters.Notifications)); // processed, not finalized: nothing yet
        _backend.Statuses[signature] = new SignatureStatus(99, TransactionOutcome.Ok, Commitment.Finalized, null);
        _server.Service.SlotRooted(_backend.Slot(Commitment.Finalized) + 2);
        JsonElement notification = await ReceiveAsync(ws);
        Assert.Equal("signatureNotification", notification.GetProperty("method").GetString());
        Assert.Equal(99UL, notification.GetProperty("params").GetProperty("result").GetProperty("context").GetProperty("slot").GetUInt64());
    }

    [Fact]
    public async Task With_enable_received_notification_a_signature_is_first_reported_received_then_at_its_commitment()
    {
        Signature signature = new(Enumerable.Range(3, 64).Select(i => (byte)i).ToArray());
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "signatureSubscribe", $"[\"{signature}\",{{\"commitment\":\"confirmed\",\"enableReceivedNotification\":true}}]");
        _backend.Statuses[signature] = new SignatureStatus(100, TransactionOutcome.Ok, Commitment.Processed, 0);
        _server.Service.SlotFrozen(100, 99);
        JsonElement received = await ReceiveAsync(ws);
        Assert.Equal("receivedSignature", received.GetProperty("params").GetProperty("result").GetProperty("value").GetString());
        Assert.Equal(id, received.GetProperty("params").GetProperty("subscription").GetUInt64());
        _backend.Statuses[signature] = new SignatureStatus(100, TransactionOutcome.Ok, Commitment.Confirmed, 0);
        _server.Service.SlotConfirmed(100);
        JsonElement reached = await ReceiveAsync(ws);
        Assert.Equal(JsonValueKind.Null, reached.GetProperty("params").GetProperty("result").GetProperty("value").GetProperty("err").ValueKind);
    }

    [Fact]
    public async Task An_account_subscription_is_notified_once_per_change_in_the_encoding_it_asked_for()
    {
        Pubkey key = new(Enumerable.Repeat((byte)7, 32).ToArray());
        Pubkey owner = new(Enumerable.Repeat((byte)9, 32).ToArray());
        _backend.AccountStore[key] = new AccountSnapshot(1000, owner, false, [1, 2, 3]);
        using ClientWebSocket ws = await StartAndConnectAsync();
        ulong id = await SubscribeAsync(ws, "accountSubscribe", $"[\"{key}\",{{\"commitment\":\"confirmed\",\"encoding\":\"base58\"}}]");
        _server.Service.SlotConfirmed(_backend.Slot(Commitment.Confirmed) + 1); // unchanged: nothing
        _backend.AccountStore[key] = new AccountSnapshot(2500, owner, false, [1, 2, 3, 4]);
        _server.Service.SlotConfirmed(_backend.Slot(Commitment.Confirmed) + 2);
        JsonElement notification = await ReceiveAsync(ws);
        Assert.Equal("accountNotification", notification.GetProperty("method").GetString());
        Assert.Equal(id, notification.GetProperty("params").GetProperty("subscription").GetUInt64());
        JsonElement result = notification.GetProperty("params").GetProperty("result");
        Assert.Equal(_backend.Slot(Commitment.Confirmed), result.GetProperty("context").GetProperty("slot").GetUInt64());
        JsonElement value = result.GetProperty("value");
        Assert.Equal(2500UL, value.GetProperty("lamports").GetUInt64());
        Assert.Equal(owner.ToString(), value.GetProperty("owner").GetString());
        Assert.Equal(Fast.Crypto.Base58.Encode([1, 2, 3, 4]), value.GetProperty("data")[0].GetString());
        Assert.Equal("base58", value.GetProperty("data")[1].GetString());
        Assert.False(value.GetProperty("executable").GetBoolean());
        Assert.Equal(0UL, value.GetProperty("rentEpoch").GetUInt64());
        Assert.Equal(4, value.GetProperty("space").GetInt32());
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.Notifications));
    }

    [Fact]
    public async Task A_confirmed_block_notifies_logs_program_and_block_subscriptions_that_its_transactions_match()
    {
        var sender = Keypair.Generate();
        Pubkey recipient = new(Keypair.Generate().PublicKey);
        Pubkey bystander = new(Keypair.Generate().PublicKey);
        byte[] transfer = new byte[Fast.Core.Transactions.TransactionLimits.MaxTransactionSize];
        Array.Resize(ref transfer, SystemTransaction.WriteTransfer(transfer, sender, recipient, 1_000_000, Hash.Compute("blockhash"u8)));
        string signature = Fast.Node.Rpc.TransactionJson.FirstSignature(transfer)!;
        _backend.AccountStore[recipient] = new AccountSnapshot(1_000_000, SystemProgram.Id, false, []);
        using ClientWebSocket ws = await StartAndConnectAsync(); // confirmed slot 99 when the service starts
        ulong logs = await SubscribeAsync(ws, "logsSubscribe", $"[{{\"mentions\":[\"{recipient}\"]}},{{\"commitment\":\"confirmed\"}}]", id: 1);
        ulong quiet = await SubscribeAsync(ws, "logsSubscribe", $"[{{\"mentions\":[\"{bystander}\"]}},{{\"commitment\":\"confirmed\"}}]", id: 2);
        ulong program = await SubscribeAsync(ws, "programSubscribe", $"[\"{SystemProgram.Id}\",{{\"commitment\":\"processed\",\"encoding\":\"base64\"}}]", id: 3);
        ulong block = await SubscribeAsync(ws, "blockSubscribe", "[\"all\",{\"commitment\":\"confirmed\",\"transactionDetails\":\"signatures\",\"showRewards\":false}]", id: 4);

        _backend.BlockStore[101] = new BlockRecord(101, 100, Hash.Compute("b101"u8), Hash.Compute("b100"u8), 90, 1_700_000_000,
            [new TransactionRecord(101, transfer, TransactionOutcome.Ok, 5000, [], [], 1_700_000_000)]);
        _backend.ProcessedSlot = 102; // confirmed 101
        _server.Service.SlotConfirmed(101);

        Dictionary<ulong, JsonElement> seen = [];
        for (int i = 0; i < 3; i++)
        {
            JsonElement message = await ReceiveAsync(ws);
            seen.Add(message.GetProperty("params").GetProperty("subscription").GetUInt64(), message);
        }
        Assert.False(seen.ContainsKey(quiet));
        JsonElement logValue = seen[logs].GetProperty("params").GetProperty("result").GetProperty("value");
        Assert.Equal("logsNotification", seen[logs].GetProperty("method").GetString());
        Assert.Equal(signature, logValue.GetProperty("signature").GetString());
        Assert.Equal(2, logValue.GetProperty("logs").GetArrayLength());
        JsonElement programValue = seen[program].GetProperty("params").GetProperty("result").GetProperty("value");
        Assert.Equal(recipient.ToString(), programValue.GetProperty("pubkey").GetString());
        Assert.Equal(1_000_000UL, programValue.GetProperty("account").GetProperty("lamports").GetUInt64());
        JsonElement blockResult = seen[block].GetProperty("params").GetProperty("result");
        Assert.Equal(101UL, blockResult.GetProperty("context").GetProperty("slot").GetUInt64());
        Assert.Equal(101UL, blockResult.GetProperty("value").GetProperty("slot").GetUInt64());
        Assert.Equal([signature], blockResult.GetProperty("value").GetProperty("block").GetProperty("signatures").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(100UL, blockResult.GetProperty("value").GetProperty("block").GetProperty("parentSlot").GetUInt64());
    }

    [Theory]
    [InlineData("{not json", RpcError.ParseError)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"slotSubscribe\"}]", RpcError.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"slotSubscribe\"}", RpcError.InvalidRequest)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBalance\",\"params\":[]}", RpcError.MethodNotFound)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"accountSubscribe\",\"params\":[\"not a key\"]}", RpcError.InvalidParams)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"signatureSubscribe\",\"params\":[]}", RpcError.InvalidParams)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logsSubscribe\",\"params\":[{\"mentions\":[]}]}", RpcError.InvalidParams)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"blockSubscribe\",\"params\":[\"all\",{\"commitment\":\"processed\"}]}", RpcError.InvalidParams)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"slotUnsubscribe\",\"params\":[\"x\"]}", RpcError.InvalidParams)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"programSubscribe\",\"params\":[\"11111111111111111111111111111111\",{\"filters\":[{\"memcmp\":{\"offset\":0}}]}]}", RpcError.InvalidParams)]
    public async Task Malformed_calls_get_the_json_rpc_error_and_the_connection_stays_open(string call, int code)
    {
        using ClientWebSocket ws = await StartAndConnectAsync();
        await SendAsync(ws, call);
        JsonElement response = await ReceiveAsync(ws);
        Assert.Equal(code, response.GetProperty("error").GetProperty("code").GetInt32());
        // Still serving.
        Assert.True(await SubscribeAsync(ws, "slotSubscribe", "[]", id: 9) > 0);
    }

    [Fact]
    public async Task A_call_without_an_id_gets_no_answer()
    {
        using ClientWebSocket ws = await StartAndConnectAsync();
        await SendAsync(ws, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}");
        // The next answer is the subscribe's: the "ping" notification was not answered.
        await SendAsync(ws, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"rootSubscribe\",\"params\":[]}");
        Assert.Equal(3, (await ReceiveAsync(ws)).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_message_over_the_cap_closes_the_connection_with_1009_and_is_counted()
    {
        using ClientWebSocket ws = await StartAndConnectAsync(new PubSubLimits { MaxMessageBytes = 4096 });
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        await ws.SendAsync(new byte[5000], WebSocketMessageType.Text, true, timeout.Token);
        WebSocketReceiveResult result = await ws.ReceiveAsync(new byte[256], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.MessagesTooLarge));
    }

    /// <summary>A raw TCP client that completed the handshake (so it can send frames the RFC forbids).</summary>
    private async Task<Socket> RawWebSocketAsync()
    {
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.LocalEndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"u8.ToArray());
        string head = await ReadUntilAsync(socket, "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.Ordinal);
        return socket;
    }

    private static async Task<string> ReadUntilAsync(Socket socket, string end)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        List<byte> received = [];
        byte[] one = new byte[1];
        while (!Encoding.Latin1.GetString([.. received]).EndsWith(end, StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 0) break;
            received.Add(one[0]);
        }
        return Encoding.Latin1.GetString([.. received]);
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    private static async Task<byte[]> ReadToCloseAsync(Socket socket)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        List<byte> received = [];
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) received.AddRange(buffer.AsSpan(0, read));
        return [.. received];
    }

    [Fact]
    public async Task An_unmasked_frame_gets_close_1002_and_is_counted()
    {
        using ClientWebSocket unused = await StartAndConnectAsync();
        using Socket socket = await RawWebSocketAsync();
        await socket.SendAsync(WebSocketFrameTests.ClientFrame(WebSocketOpcode.Text, "{}"u8, mask: null));
        byte[] answer = await ReadToCloseAsync(socket);
        Assert.Equal(WebSocketFrameCodec.CloseFrame(CloseCodes.ProtocolError), answer);
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.ProtocolErrors));
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload()
    {
        using ClientWebSocket unused = await StartAndConnectAsync();
        using Socket socket = await RawWebSocketAsync();
        await socket.SendAsync(WebSocketFrameTests.ClientFrame(WebSocketOpcode.Ping, "beat"u8));
        byte[] pong = new byte[6];
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        int got = 0;
        while (got < pong.Length) got += await socket.ReceiveAsync(pong.AsMemory(got), SocketFlags.None, timeout.Token);
        Assert.Equal([0x8A, 4, (byte)'b', (byte)'e', (byte)'a', (byte)'t'], pong);
    }

    [Fact]
    public async Task A_plain_http_request_is_refused_with_400_and_counted()
    {
        using ClientWebSocket unused = await StartAndConnectAsync();
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.LocalEndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(await ReadToCloseAsync(socket)), StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.HandshakesRefused));
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_handshake_is_cut_off_and_counted()
    {
        using ClientWebSocket unused = await StartAndConnectAsync(new PubSubLimits { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.LocalEndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost:"u8.ToArray());
        Assert.Empty(await ReadToCloseAsync(socket));
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.HandshakesTimedOut));
    }

    [Fact]
    public async Task Subscriptions_past_the_per_connection_cap_are_refused_with_an_error_and_counted()
    {
        using ClientWebSocket ws = await StartAndConnectAsync(new PubSubLimits { MaxSubscriptionsPerConnection = 3 });
        for (int i = 0; i < 3; i++) await SubscribeAsync(ws, "slotSubscribe", "[]", id: i);
        await SendAsync(ws, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"slotSubscribe\",\"params\":[]}");
        JsonElement error = (await ReceiveAsync(ws)).GetProperty("error");
        Assert.Contains("too many subscriptions", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.SubscriptionsRefusedLimit));
        Assert.Equal(3, Interlocked.Read(ref _server.Counters.SubscriptionsActive));

        // Closing the connection ends its subscriptions.
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await WaitForAsync(() => Interlocked.Read(ref _server.Counters.SubscriptionsActive) == 0, "subscriptions of a closed connection are removed");
    }

    [Fact]
    public async Task Connections_past_the_per_address_cap_are_closed_at_once_and_counted()
    {
        using ClientWebSocket first = await StartAndConnectAsync(new PubSubLimits { MaxConnectionsPerAddress = 2 });
        using ClientWebSocket second = await ConnectAsync();
        await Assert.ThrowsAnyAsync<WebSocketException>(ConnectAsync);
        // The client's HTTP stack may retry the refused connection once or twice: each refusal is counted.
        Assert.InRange(Interlocked.Read(ref _server.Counters.ConnectionsRejectedPerAddress), 1, 5);
        Assert.Equal(2, _server.OpenConnectionsFrom(IPAddress.Loopback));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_and_the_queue_stays_within_its_bound()
    {
        const long bound = 2L << 20;
        Pubkey key = new(Enumerable.Repeat((byte)3, 32).ToArray());
        _backend.AccountStore[key] = new AccountSnapshot(1, Pubkey.Zero, false, new byte[512 * 1024]);
        using ClientWebSocket ws = await StartAndConnectAsync(new PubSubLimits { MaxQueuedBytesPerConnection = bound });
        await SubscribeAsync(ws, "accountSubscribe", $"[\"{key}\",{{\"commitment\":\"confirmed\"}}]");
        // The client never reads again; each change makes a ~700 KB notification.
        ulong slot = _backend.Slot(Commitment.Confirmed);
        long peak = 0;
        for (int i = 0; i < 400 && Interlocked.Read(ref _server.Counters.SlowConsumersDropped) == 0; i++)
        {
            _backend.AccountStore[key] = new AccountSnapshot((ulong)i + 2, Pubkey.Zero, false, new byte[512 * 1024]);
            _server.Service.SlotConfirmed(++slot);
            await Task.Delay(10);
            peak = Math.Max(peak, Interlocked.Read(ref _server.Counters.QueuedBytes));
        }
        Assert.Equal(1, Interlocked.Read(ref _server.Counters.SlowConsumersDropped));
        Assert.InRange(peak, 0, bound);
        await WaitForAsync(() => Interlocked.Read(ref _server.Counters.ConnectionsOpen) == 0, "the slow client's connection closes");
        Assert.Equal(0, Interlocked.Read(ref _server.Counters.QueuedBytes));
        await WaitForAsync(() => Interlocked.Read(ref _server.Counters.SubscriptionsActive) == 0, "the dropped client's subscription is removed");
    }
}
