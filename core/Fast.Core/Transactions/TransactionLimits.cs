namespace Fast.Core.Transactions;

/// <summary>
/// The hard limits of a transaction on the wire. A transaction must fit one UDP packet, so every
/// count is also bounded by the size; the explicit caps are checked before anything is sized.
/// </summary>
public static class TransactionLimits
{
    /// <summary>1280-byte IPv6 minimum MTU − 40 (IPv6 header) − 8 (UDP header): Solana's PACKET_DATA_SIZE.</summary>
    public const int MaxTransactionSize = 1232;

    public const int MaxSignatures = 16;

    /// <summary>Agave's MAX_TX_ACCOUNT_LOCKS.</summary>
    public const int MaxAccountKeys = 64;

    public const int MaxInstructions = 64;

    public const int MaxInstructionAccounts = 64;

    public const int MaxInstructionData = MaxTransactionSize;

    /// <summary>A transaction is valid for this many slots after its recent blockhash (Agave: MAX_PROCESSING_AGE = 150).</summary>
    public const int BlockhashMaxAgeSlots = 150;

    /// <summary>
    /// The most transactions one block (slot) may hold: 40,960, ≈ 68 k TPS at 600 ms slots, above one
    /// validator's measured end-to-end rate (~52 k TPS: at 32,768 a third of its slots were full and the
    /// rest of their transactions waited a slot). The leader stops filling a slot here; it bounds what a
    /// node keeps per slot (the signature index holds 150 + root distance + 2 slots of statuses).
    /// </summary>
    public const int MaxTransactionsPerBlock = 40_960;
}
