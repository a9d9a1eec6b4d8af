using System.Buffers;
using System.Text;
using System.Text.Json;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>Calls one JSON-RPC method on a <see cref="JsonRpcProcessor"/> over a <see cref="FakeRpcBackend"/> and returns the parsed answer.</summary>
internal static class RpcCall
{
    public static JsonElement Response(FakeRpcBackend backend, string method, string parameters = "[]")
    {
        JsonRpcProcessor processor = new(backend);
        ArrayBufferWriter<byte> output = new();
        Assert.True(processor.Process(Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":{{parameters}}}"""), output));
        return JsonDocument.Parse(output.WrittenMemory).RootElement.Clone();
    }

    /// <summary>The result of a call that must succeed.</summary>
    public static JsonElement Result(FakeRpcBackend backend, string method, string parameters = "[]")
    {
        JsonElement response = Response(backend, method, parameters);
        Assert.True(response.TryGetProperty("result", out JsonElement result), $"{method} failed: {response.GetRawText()}");
        return result;
    }

    /// <summary>The error of a call that must fail: (code, message); the message is one line.</summary>
    public static (int Code, string Message) Error(FakeRpcBackend backend, string method, string parameters = "[]")
    {
        JsonElement response = Response(backend, method, parameters);
        Assert.True(response.TryGetProperty("error", out JsonElement error), $"{method} succeeded: {response.GetRawText()}");
        Assert.False(response.TryGetProperty("result", out _));
        string message = error.GetProperty("message").GetString()!;
        Assert.DoesNotContain('\n', message);
        return (error.GetProperty("code").GetInt32(), message);
    }

    /// <summary>The property names of an object, sorted (for "exactly these fields" assertions).</summary>
    public static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
