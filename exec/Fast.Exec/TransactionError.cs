namespace Fast.Exec;

/// <summary>
/// Why a transaction did not do what it asked. The first group is decided before any account
/// changes: such a transaction is not committed (no fee, not recorded, may be sent again). The rest
/// fail during execution: the transaction is committed — it pays its fee and is recorded as
/// processed — but changes nothing else.
/// </summary>
public enum TransactionError : byte
{
    None = 0,

    // ---- not committed ----

    /// <summary>This signature was already processed on this fork (a re-send or a replayed duplicate): a no-op.</summary>
    AlreadyProcessed,

    /// <summary>The recent blockhash is not one this bank knows.</summary>
    BlockhashNotFound,

    /// <summary>The recent blockhash is older than <c>TransactionLimits.BlockhashMaxAgeSlots</c> slots.</summary>
    BlockhashExpired,

    /// <summary>The fee payer has no lamports (does not exist).</summary>
    AccountNotFound,

    /// <summary>The fee payer cannot pay the fee.</summary>
    InsufficientFundsForFee,

    /// <summary>The fee payer is not a plain system account (it has an owner program or data).</summary>
    InvalidAccountForFee,

    // ---- committed: fee paid, nothing else changed ----

    /// <summary>A debit exceeds the account's lamports.</summary>
    InsufficientFunds,

    /// <summary>CreateAccount/Allocate on an account that already has lamports, data or an owner program.</summary>
    AccountAlreadyExists,

    /// <summary>The account is owned by another program, so this program may not change it.</summary>
    InvalidAccountOwner,

    /// <summary>Lamports would overflow a u64.</summary>
    ArithmeticOverflow,

    /// <summary>The instruction data is not a valid instruction of its program.</summary>
    InvalidInstruction,

    /// <summary>An argument is not allowed for this account (e.g. a transfer from an account that holds data).</summary>
    InvalidArgument,

    /// <summary>The instruction names fewer accounts than it needs.</summary>
    NotEnoughAccountKeys,

    /// <summary>An account that must sign did not.</summary>
    MissingRequiredSignature,

    /// <summary>The instruction changes an account the transaction marked read-only.</summary>
    ReadonlyAccountModified,

    /// <summary>Requested data length is over 10 MiB.</summary>
    InvalidAccountDataLength,

    /// <summary>The instruction's program is not a program this runtime has.</summary>
    UnsupportedProgram,

    /// <summary>
    /// An account would be left with lamports but below its rent-exempt minimum (Solana's
    /// InsufficientFundsForRent; the result's InstructionIndex holds the account's index).
    /// </summary>
    InsufficientFundsForRent,

    // ---- built-in programs' errors (token, multisig: docs/programs.md lists each one's code) ----

    /// <summary>An account's data is not the layout the instruction needs (wrong length or kind, or not initialized).</summary>
    InvalidAccountData,

    /// <summary>An initialize instruction on an account that is already initialized.</summary>
    AccountAlreadyInitialized,

    /// <summary>The signer is not the authority the account names (mint or freeze authority, owner or delegate, multisig member, proposer).</summary>
    InvalidAuthority,

    /// <summary>A token account belongs to a different mint than the instruction's.</summary>
    MintMismatch,

    /// <summary>The token account is frozen by its mint's freeze authority.</summary>
    AccountFrozen,

    /// <summary>A mint-to would take the mint's minted total past its max supply.</summary>
    MintCapExceeded,

    /// <summary>Closing a token account that still holds tokens.</summary>
    NonZeroTokenBalance,

    /// <summary>A multisig's threshold, signer list or proposal lifetime is out of range (1 ≤ M ≤ N ≤ 16, distinct signers, lifetime ≥ 1 slot).</summary>
    InvalidMultisigConfig,

    /// <summary>This member already approved this proposal: the repeat changes nothing.</summary>
    ProposalAlreadyApproved,

    /// <summary>The proposal has fewer approvals than the multisig's threshold.</summary>
    ProposalThresholdNotMet,

    /// <summary>The proposal was already executed (a proposal runs once).</summary>
    ProposalAlreadyExecuted,

    /// <summary>The proposal was cancelled by its proposer.</summary>
    ProposalCancelled,

    /// <summary>The proposal's lifetime (set by its multisig) has passed.</summary>
    ProposalExpired,

    /// <summary>Instructions invoked by instructions nest deeper than the runtime allows.</summary>
    CallDepthExceeded,

    // ---- stake and vote programs (docs/programs.md "Stake program") ----

    /// <summary>The stake account is not delegated (deactivate), or the vote account is not a vote account of the vote program.</summary>
    StakeNotDelegated,

    /// <summary>The stake is already deactivating or deactivated.</summary>
    StakeAlreadyDeactivated,

    /// <summary>Delegating a stake that is still active or cooling down (deactivate it and wait until it is inactive).</summary>
    StakeTooSoonToRedelegate,

    /// <summary>A withdrawal would take lamports that are still staked (effective, activating or cooling down).</summary>
    StakeStillActive,

    /// <summary>The account named as a vote account is not an initialized vote account.</summary>
    InvalidVoteAccount,

    /// <summary>Slashing evidence that does not decode or whose signatures do not verify (forged).</summary>
    EvidenceInvalid,

    /// <summary>Slashing evidence whose two signed messages do not conflict.</summary>
    EvidenceNotConflicting,

    /// <summary>This offence (offender, slot) is already recorded: a repeat changes nothing.</summary>
    OffenceAlreadyRecorded,

    /// <summary>Slashing evidence about a slot before the previous epoch, or after the current slot.</summary>
    EvidenceOutOfRange,

    /// <summary>The offence registry is full until the next epoch boundary applies and drops offences.</summary>
    OffenceRegistryFull,

    /// <summary>Slashing evidence signed by a key that was not the slot's scheduled leader.</summary>
    EvidenceNotFromLeader,
}

/// <summary>Which errors leave a transaction uncommitted.</summary>
public static class TransactionErrors
{
    /// <summary>True when a transaction with this outcome is committed (pays its fee, is recorded as processed).</summary>
    public static bool IsCommitted(this TransactionError error) => error is TransactionError.None or >= TransactionError.InsufficientFunds;
}
