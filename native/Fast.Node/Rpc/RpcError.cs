namespace Fast.Node.Rpc;

/// <summary>A JSON-RPC error object: the JSON-RPC 2.0 codes plus the Solana server codes clients already handle.</summary>
public sealed record RpcError(int Code, string Message)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    // Solana's server error codes.
    public const int TransactionSignatureVerificationFailure = -32003;
    public const int BlockNotAvailable = -32004;
    public const int NodeUnhealthy = -32005;
    public const int SlotSkipped = -32007;
    public const int TransactionRejected = -32002;
    // Ours.
    public const int ResponseTooLarge = -32020;

    public static RpcError Params(string message) => new(InvalidParams, message);

    /// <summary>The answer would pass the node's response cap.</summary>
    public static RpcError TooLargeResponse(int maxResponseBytes) =>
        new(ResponseTooLarge, $"Response too large: it would pass this node's limit of {maxResponseBytes} bytes (--rpc-max-response-mb); ask for fewer accounts or a dataSlice");
}
