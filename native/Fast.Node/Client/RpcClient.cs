using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Node.Client;

/// <summary>A JSON-RPC error returned by a node, or a node we could not reach (<see cref="Unreachable"/>).</summary>
public sealed class RpcClientException(string message, int code = 0, bool unreachable = false, bool invalidUrl = false) : Exception(message)
{
    public int Code { get; } = code;
    public bool Unreachable { get; } = unreachable;
    public bool InvalidUrl { get; } = invalidUrl;
}

/// <summary>One signature's status as a client sees it.</summary>
public sealed record ClientSignatureStatus(ulong Slot, string? Error, string ConfirmationStatus);

/// <summary>
/// A minimal JSON-RPC client for Fast's (Solana-shaped) API, used by the CLI, bench-tps and the
/// devnet launcher. AOT-safe: requests are written with Utf8JsonWriter, results read as JsonElement.
/// Thread-safe (one HttpClient).
/// </summary>
public sealed class RpcClient : IDisposable
{
    private readonly HttpClient _http;
    private long _nextId;

    public RpcClient(string url, TimeSpan? timeout = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new RpcClientException($"invalid --url '{url}': expected http://host:port", invalidUrl: true);
        }
        Url = uri;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 16 })
        {
            BaseAddress = uri,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
    }

    public Uri Url { get; }

    /// <summary>Calls <paramref name="method"/>; the result element (cloned), or an <see cref="RpcClientException"/>.</summary>
    public async Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter>? writeParams = null, CancellationToken cancel = default)
    {
        using MemoryStream body = new();
        using (Utf8JsonWriter w = new(body))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", Interlocked.Increment(ref _nextId));
            w.WriteString("method", method);
            w.WriteStartArray("params");
            writeParams?.Invoke(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        ByteArrayContent content = new(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(string.Empty, content, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            string reason = e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.Message;
            throw new RpcClientException($"cannot reach the node at {Url}: {reason}", unreachable: true);
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new RpcClientException($"the node at {Url} did not answer within {_http.Timeout.TotalSeconds:0} s", unreachable: true);
        }
        using (response)
        {
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                throw new RpcClientException($"the node at {Url} answered HTTP {(int)response.StatusCode} with a body that is not JSON");
            }
            using (doc)
            {
                JsonElement root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error))
                {
                    int code = error.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
                    string message = error.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "error" : "error";
                    throw new RpcClientException($"{method}: {message} ({code})", code);
                }
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out JsonElement result))
                {
                    throw new RpcClientException($"{method}: malformed response from {Url}");
                }
                return result.Clone();
            }
        }
    }

    private static Action<Utf8JsonWriter> Config(string? commitment, Action<Utf8JsonWriter>? more = null) => w =>
    {
        w.WriteStartObject();
        if (commitment is not null) w.WriteString("commitment", commitment);
        more?.Invoke(w);
        w.WriteEndObject();
    };

    public async Task<ulong> GetSlotAsync(string commitment = "confirmed", CancellationToken cancel = default) =>
        (await CallAsync("getSlot", Config(commitment), cancel).ConfigureAwait(false)).GetUInt64();

    public async Task<ulong> GetTransactionCountAsync(string commitment = "confirmed", CancellationToken cancel = default) =>
        (await CallAsync("getTransactionCount", Config(commitment), cancel).ConfigureAwait(false)).GetUInt64();

    public async Task<ulong> GetBalanceAsync(Pubkey address, string commitment = "confirmed", CancellationToken cancel = default)
    {
        JsonElement result = await CallAsync("getBalance", w =>
        {
            w.WriteStringValue(address.ToString());
            Config(commitment)(w);
        }, cancel).ConfigureAwait(false);
        return result.GetProperty("value").GetUInt64();
    }

    public async Task<(Hash Blockhash, ulong LastValidBlockHeight)> GetLatestBlockhashAsync(string commitment = "confirmed", CancellationToken cancel = default)
    {
        JsonElement value = (await CallAsync("getLatestBlockhash", Config(commitment), cancel).ConfigureAwait(false)).GetProperty("value");
        if (!Hash.TryParse(value.GetProperty("blockhash").GetString(), out Hash blockhash)) throw new RpcClientException("getLatestBlockhash: malformed blockhash");
        return (blockhash, value.GetProperty("lastValidBlockHeight").GetUInt64());
    }

    public async Task<ulong> GetBlockHeightAsync(string commitment = "confirmed", CancellationToken cancel = default) =>
        (await CallAsync("getBlockHeight", Config(commitment), cancel).ConfigureAwait(false)).GetUInt64();

    public async Task<Signature> SendTransactionAsync(byte[] transaction, CancellationToken cancel = default)
    {
        JsonElement result = await CallAsync("sendTransaction", w =>
        {
            w.WriteStringValue(Convert.ToBase64String(transaction));
            Config(null, c => c.WriteString("encoding", "base64"))(w);
        }, cancel).ConfigureAwait(false);
        if (!Signature.TryParse(result.GetString(), out Signature signature)) throw new RpcClientException("sendTransaction: malformed signature in the answer");
        return signature;
    }

    /// <summary>Statuses of up to 256 signatures (null entries: not found).</summary>
    public async Task<ClientSignatureStatus?[]> GetSignatureStatusesAsync(IReadOnlyList<Signature> signatures, CancellationToken cancel = default)
    {
        JsonElement result = await CallAsync("getSignatureStatuses", w =>
        {
            w.WriteStartArray();
            foreach (Signature s in signatures) w.WriteStringValue(s.ToString());
            w.WriteEndArray();
        }, cancel).ConfigureAwait(false);
        JsonElement value = result.GetProperty("value");
        var statuses = new ClientSignatureStatus?[signatures.Count];
        int i = 0;
        foreach (JsonElement s in value.EnumerateArray())
        {
            if (i >= statuses.Length) break;
            statuses[i++] = s.ValueKind == JsonValueKind.Null ? null : new ClientSignatureStatus(
                s.GetProperty("slot").GetUInt64(),
                s.GetProperty("err").ValueKind == JsonValueKind.Null ? null : s.GetProperty("err").ToString(),
                s.GetProperty("confirmationStatus").GetString() ?? "processed");
        }
        return statuses;
    }

    /// <summary>The TPU addresses (UDP and TCP) of the node behind this URL, from getClusterNodes.</summary>
    public async Task<(string? Udp, string? Tcp, int Nodes)> GetTpuAsync(CancellationToken cancel = default)
    {
        JsonElement nodes = await CallAsync("getClusterNodes", null, cancel).ConfigureAwait(false);
        string? udp = null, tcp = null;
        foreach (JsonElement node in nodes.EnumerateArray())
        {
            string? rpc = node.TryGetProperty("rpc", out JsonElement r) ? r.GetString() : null;
            string? nodeUdp = node.TryGetProperty("tpu", out JsonElement t) ? t.GetString() : null;
            string? nodeTcp = node.TryGetProperty("tpuTcp", out JsonElement tt) ? tt.GetString() : null;
            // Prefer the node we are talking to; otherwise the first one that has a TPU.
            if (rpc is not null && rpc.EndsWith($":{Url.Port}", StringComparison.Ordinal) || udp is null)
            {
                udp = nodeUdp ?? udp;
                tcp = nodeTcp ?? tcp;
            }
        }
        return (udp, tcp, nodes.GetArrayLength());
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Base58 text of a key for JSON.</summary>
    public static string Text(ReadOnlySpan<byte> key) => Base58.Encode(key);
}
