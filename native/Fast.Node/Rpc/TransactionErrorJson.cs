using System.Globalization;
using System.Text.Json;
using Fast.Exec;

namespace Fast.Node.Rpc;

/// <summary>
/// A transaction's outcome in Solana's JSON: the <c>err</c> value (null, a TransactionError name such
/// as <c>"AccountNotFound"</c>, <c>{"InstructionError":[index, error]}</c> or
/// <c>{"InsufficientFundsForRent":{"account_index":n}}</c>, as serde writes Solana's TransactionError),
/// the <c>status</c> object (<c>{"Ok":null}</c> / <c>{"Err":err}</c>), and the runtime's log lines
/// (<c>Program X invoke [1]</c> / <c>success</c> / <c>failed: ...</c>). Our runtime runs only built-in
/// programs, which log nothing of their own, so those lines follow from the instructions and the
/// stored outcome alone. Where Fast's error names differ from Solana's, the system program's Solana
/// equivalent is written (e.g. a debit past the balance is SystemError::ResultWithNegativeLamports,
/// <c>{"Custom":1}</c>). Cold path (RPC formatting).
/// </summary>
public static class TransactionErrorJson
{
    /// <summary>Writes the <c>err</c> value (null for success).</summary>
    public static void WriteErr(Utf8JsonWriter w, TransactionOutcome outcome)
    {
        if (outcome.IsOk)
        {
            w.WriteNullValue();
            return;
        }
        if (TransactionLevelName(outcome.Error) is string name)
        {
            w.WriteStringValue(name);
            return;
        }
        if (outcome.Error == TransactionError.InsufficientFundsForRent)
        {
            w.WriteStartObject();
            w.WriteStartObject("InsufficientFundsForRent");
            w.WriteNumber("account_index", outcome.InstructionIndex);
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }
        w.WriteStartObject();
        w.WriteStartArray("InstructionError");
        w.WriteNumberValue(outcome.InstructionIndex);
        WriteInstructionError(w, outcome.Error);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes <c>"err": ...</c> and <c>"status": {"Ok": null} | {"Err": ...}</c> as two properties.</summary>
    public static void WriteErrAndStatus(Utf8JsonWriter w, TransactionOutcome outcome)
    {
        w.WritePropertyName("err");
        WriteErr(w, outcome);
        w.WriteStartObject("status");
        if (outcome.IsOk)
        {
            w.WriteNull("Ok");
        }
        else
        {
            w.WritePropertyName("Err");
            WriteErr(w, outcome);
        }
        w.WriteEndObject();
    }

    /// <summary>The outcome as one line of JSON text (what a client that prints errors shows).</summary>
    public static string Text(TransactionOutcome outcome)
    {
        System.Buffers.ArrayBufferWriter<byte> buffer = new(64);
        using (Utf8JsonWriter w = new(buffer)) WriteErr(w, outcome);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The instruction that failed, or −1 when the failure is not an instruction's (a transaction-level
    /// error, or success): the log then shows every instruction succeeding, or none when the
    /// transaction was not executed.
    /// </summary>
    public static int FailedInstruction(TransactionOutcome outcome) =>
        outcome.IsOk || TransactionLevelName(outcome.Error) is not null || outcome.Error == TransactionError.InsufficientFundsForRent ? -1 : outcome.InstructionIndex;

    /// <summary>True when the runtime ran the instructions (the outcome is not a refusal before execution).</summary>
    public static bool Executed(TransactionOutcome outcome) => outcome.Error.IsCommitted();

    /// <summary>The message Solana's runtime logs after <c>Program X failed: </c> for this error.</summary>
    public static string FailureMessage(TransactionError error) => error switch
    {
        TransactionError.InsufficientFunds => "custom program error: 0x1",
        TransactionError.AccountAlreadyExists => "custom program error: 0x0",
        TransactionError.InvalidAccountDataLength => "custom program error: 0x3",
        TransactionError.InvalidAccountOwner => "Invalid account owner",
        TransactionError.ArithmeticOverflow => "Program arithmetic overflowed",
        TransactionError.InvalidInstruction => "invalid instruction data",
        TransactionError.InvalidArgument => "invalid program argument",
        TransactionError.NotEnoughAccountKeys => "insufficient account keys for instruction",
        TransactionError.MissingRequiredSignature => "missing required signature for instruction",
        TransactionError.ReadonlyAccountModified => "instruction changed the balance of a read-only account",
        TransactionError.UnsupportedProgram => "Unsupported program id",
        TransactionError.InvalidAccountData => "invalid account data for instruction",
        TransactionError.AccountAlreadyInitialized => "instruction requires an uninitialized account",
        TransactionError.CallDepthExceeded => "Cross-program invocation call depth too deep",
        _ => CustomCode(error) is int code and >= 0 ? "custom program error: 0x" + code.ToString("x", CultureInfo.InvariantCulture) : error.ToString(),
    };

    /// <summary>Errors decided before execution: Solana's TransactionError unit variants.</summary>
    private static string? TransactionLevelName(TransactionError error) => error switch
    {
        TransactionError.AlreadyProcessed => "AlreadyProcessed",
        TransactionError.BlockhashNotFound or TransactionError.BlockhashExpired => "BlockhashNotFound",
        TransactionError.AccountNotFound => "AccountNotFound",
        TransactionError.InsufficientFundsForFee => "InsufficientFundsForFee",
        TransactionError.InvalidAccountForFee => "InvalidAccountForFee",
        _ => null,
    };

    /// <summary>Solana's InstructionError for an execution error of a built-in program (system, token, multisig).</summary>
    private static void WriteInstructionError(Utf8JsonWriter w, TransactionError error)
    {
        int custom = CustomCode(error);
        if (custom >= 0)
        {
            w.WriteStartObject();
            w.WriteNumber("Custom", custom);
            w.WriteEndObject();
            return;
        }
        w.WriteStringValue(error switch
        {
            TransactionError.InvalidAccountOwner => "InvalidAccountOwner",
            TransactionError.ArithmeticOverflow => "ArithmeticOverflow",
            TransactionError.InvalidInstruction => "InvalidInstructionData",
            TransactionError.InvalidArgument => "InvalidArgument",
            TransactionError.NotEnoughAccountKeys => "NotEnoughAccountKeys",
            TransactionError.MissingRequiredSignature => "MissingRequiredSignature",
            TransactionError.ReadonlyAccountModified => "ReadonlyLamportChange",
            TransactionError.UnsupportedProgram => "UnsupportedProgramId",
            TransactionError.InvalidAccountData => "InvalidAccountData",
            TransactionError.AccountAlreadyInitialized => "AccountAlreadyInitialized",
            TransactionError.CallDepthExceeded => "CallDepth",
            _ => ((byte)error).ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The program's own error number (<c>{"Custom": n}</c>), or −1 for errors Solana names.</summary>
    private static int CustomCode(TransactionError error) => error switch
    {
        // SystemError: AccountAlreadyInUse = 0, ResultWithNegativeLamports = 1, InvalidAccountDataLength = 3.
        TransactionError.AccountAlreadyExists => 0,
        TransactionError.InsufficientFunds => 1,
        TransactionError.InvalidAccountDataLength => 3,
        // The token and multisig programs' codes (docs/programs.md); where an SPL Token error means the same, its number.
        TransactionError.MintMismatch => 3,
        TransactionError.InvalidAuthority => 4,
        TransactionError.NonZeroTokenBalance => 11,
        TransactionError.AccountFrozen => 17,
        TransactionError.MintCapExceeded => 100,
        TransactionError.InvalidMultisigConfig => 200,
        TransactionError.ProposalAlreadyApproved => 201,
        TransactionError.ProposalThresholdNotMet => 202,
        TransactionError.ProposalAlreadyExecuted => 203,
        TransactionError.ProposalCancelled => 204,
        TransactionError.ProposalExpired => 205,
        // The stake program's codes; where Solana's StakeError means the same, its number (AlreadyDeactivated = 2, TooSoonToRedelegate = 3).
        TransactionError.StakeAlreadyDeactivated => 2,
        TransactionError.StakeTooSoonToRedelegate => 3,
        TransactionError.StakeNotDelegated => 300,
        TransactionError.StakeStillActive => 301,
        TransactionError.InvalidVoteAccount => 302,
        TransactionError.EvidenceInvalid => 303,
        TransactionError.EvidenceNotConflicting => 304,
        TransactionError.OffenceAlreadyRecorded => 305,
        TransactionError.EvidenceOutOfRange => 306,
        TransactionError.OffenceRegistryFull => 307,
        TransactionError.EvidenceNotFromLeader => 308,
        _ => -1,
    };
}
