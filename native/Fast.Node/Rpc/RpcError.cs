namespace Fast.Node.Rpc;

/// <summary>A JSON-RPC error object: the JSON-RPC 2.0 codes plus the Solana server codes clients already handle.</summary>
public sealed record RpcError(int Code, string Message)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    // Solana's server error codes (agave rpc-client-api custom_error.rs).
    public const int BlockCleanedUp = -32001;
    public const int TransactionRejected = -32002;
    public const int TransactionSignatureVerificationFailure = -32003;
    public const int BlockNotAvailable = -32004;
    public const int NodeUnhealthy = -32005;
    public const int SlotSkipped = -32007;
    public const int NoSnapshot = -32008;
    public const int MinContextSlotNotReachedCode = -32016;
    // Ours.
    public const int ResponseTooLarge = -32020;

    public static RpcError Params(string message) => new(InvalidParams, message);

    /// <summary>Solana's BlockCleanedUp: the slot is below what the ledger still holds.</summary>
    public static RpcError CleanedUp(ulong slot, ulong firstAvailable) =>
        new(BlockCleanedUp, $"Block {slot} cleaned up, does not exist on node. First available block: {firstAvailable}");

    /// <summary>Solana's BlockNotAvailable: the slot is not (yet) at the asked commitment.</summary>
    public static RpcError NotAvailable(ulong slot) => new(BlockNotAvailable, $"Block not available for slot {slot}");

    /// <summary>Solana's SlotSkipped: the slot is at or below the root and has no block.</summary>
    public static RpcError Skipped(ulong slot) => new(SlotSkipped, $"Slot {slot} was skipped, or missing due to ledger jump to recent snapshot");

    /// <summary>Solana's MinContextSlotNotReached: the node's slot at that commitment is below the client's minContextSlot.</summary>
    public static RpcError MinContextSlotNotReached(ulong contextSlot) =>
        new(MinContextSlotNotReachedCode, "Minimum context slot has not been reached") { ContextSlot = contextSlot };

    /// <summary>The node's context slot, for errors that carry it in <c>data</c> (Solana's <c>{"contextSlot": n}</c>).</summary>
    public ulong? ContextSlot { get; init; }

    /// <summary>Solana's answer for methods that need <c>confirmed</c> or <c>finalized</c>.</summary>
    public static RpcError BelowConfirmed() => Params("Method does not support commitment below `confirmed`");

    /// <summary>The answer would pass the node's response cap.</summary>
    public static RpcError TooLargeResponse(int maxResponseBytes) =>
        new(ResponseTooLarge, $"Response too large: it would pass this node's limit of {maxResponseBytes} bytes (--rpc-max-response-mb); ask for fewer accounts or a dataSlice");
}
