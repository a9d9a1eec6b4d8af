using System.Text.Json;
using Fast.Core.Primitives;

namespace Fast.Node.Rpc;

/// <summary>
/// The positional params of one JSON-RPC call (Solana style: <c>[value, {config}]</c>), with
/// typed accessors that turn every wrong shape into an <see cref="RpcError.InvalidParams"/> error.
/// </summary>
public readonly struct RpcParams(JsonElement array)
{
    private readonly JsonElement _array = array;

    public int Count => _array.ValueKind == JsonValueKind.Array ? _array.GetArrayLength() : 0;

    public bool Has(int index) => index < Count && _array[index].ValueKind != JsonValueKind.Null;

    public JsonElement this[int index] => _array[index];

    public RpcError? RequireCount(int min, int max)
    {
        int count = Count;
        if (count < min) return RpcError.Params($"expected at least {min} parameter(s), got {count}");
        if (count > max) return RpcError.Params($"expected at most {max} parameter(s), got {count}");
        return null;
    }

    public RpcError? String(int index, string what, out string value)
    {
        value = string.Empty;
        if (!Has(index) || _array[index].ValueKind != JsonValueKind.String) return RpcError.Params($"{what} must be a string");
        value = _array[index].GetString()!;
        return null;
    }

    public RpcError? Pubkey(int index, out Pubkey key)
    {
        key = default;
        RpcError? error = String(index, "the public key", out string text);
        if (error is not null) return error;
        return Core.Primitives.Pubkey.TryParse(text, out key) ? null : RpcError.Params($"invalid public key '{Trim(text)}': not base58 of 32 bytes");
    }

    public RpcError? SignatureAt(int index, out Signature signature)
    {
        signature = default;
        return Has(index) ? ParseSignature(_array[index], out signature) : RpcError.Params("a signature must be a base58 string");
    }

    public static RpcError? ParseSignature(JsonElement element, out Signature signature)
    {
        signature = default;
        if (element.ValueKind != JsonValueKind.String) return RpcError.Params("a signature must be a base58 string");
        string text = element.GetString()!;
        return Signature.TryParse(text, out signature) ? null : RpcError.Params($"invalid signature '{Trim(text)}': not base58 of 64 bytes");
    }

    public RpcError? UInt64(int index, string what, out ulong value)
    {
        value = 0;
        if (!Has(index) || _array[index].ValueKind != JsonValueKind.Number || !_array[index].TryGetUInt64(out value)) return RpcError.Params($"{what} must be a non-negative integer");
        return null;
    }

    /// <summary>The config object at <paramref name="index"/> (absent or null = empty config).</summary>
    public RpcError? Config(int index, out JsonElement config)
    {
        config = default;
        if (!Has(index)) return null;
        if (_array[index].ValueKind != JsonValueKind.Object) return RpcError.Params("the configuration must be an object");
        config = _array[index];
        return null;
    }

    public static RpcError? Commitment(JsonElement config, Commitment fallback, out Commitment commitment)
    {
        commitment = fallback;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("commitment", out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || !CommitmentText.TryParse(value.GetString(), out commitment))
        {
            return RpcError.Params("commitment must be processed, confirmed or finalized");
        }
        return null;
    }

    public static string? OptionalString(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A non-negative integer field of a config object; null when absent, an error when present but not one.</summary>
    public static RpcError? OptionalCount(JsonElement config, string name, out int? value)
    {
        value = null;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0) return RpcError.Params($"{name} must be a non-negative integer");
        value = n;
        return null;
    }

    public static bool OptionalBool(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.True;

    private static string Trim(string text) => text.Length <= 100 ? text : text[..97] + "...";
}
