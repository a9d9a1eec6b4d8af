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

    public static RpcError Params(string message) => new(InvalidParams, message);
}
