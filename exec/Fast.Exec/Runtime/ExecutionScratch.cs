using Fast.Core.Primitives;
using Fast.Core.Transactions;

namespace Fast.Exec.Runtime;

/// <summary>
/// A transaction's accounts while its instructions run: copies of the slot's entries that the
/// instructions change freely, written back only if every instruction succeeds (so a failed
/// transaction changes nothing but its fee).
/// </summary>
public struct ScratchAccount
{
    public ulong Lamports;
    public Pubkey Owner;

    /// <summary>Shared with the slot until an instruction replaces it (never written in place).</summary>
    public byte[] Data;

    /// <summary>
    /// The array this transaction made for <see cref="Data"/> (a copy or a new allocation), or null: while
    /// <see cref="Data"/> is this very array, later instructions of the transaction write it in place
    /// instead of copying again. Reset to null whenever the account is loaded from the slot.
    /// </summary>
    public byte[]? PrivateData;

    /// <summary>
    /// Where this transaction's new data arrays come from (the slot's <see cref="Storage.Accounts.AccountDataPool"/>;
    /// null: new arrays). A committed transaction's <see cref="PrivateData"/> becomes its overlay entry's
    /// own array; a failed one's goes straight back (nobody else ever saw it).
    /// </summary>
    public Storage.Accounts.AccountDataPool? Pool;
    public bool Executable;
    public bool IsSigner;
    public bool IsWritable;
}

/// <summary>One execution thread's reusable scratch: room for a transaction's accounts (64 at most). Owned by one worker thread.</summary>
internal sealed class ExecutionScratch
{
    public readonly ScratchAccount[] Accounts = new ScratchAccount[TransactionLimits.MaxAccountKeys];
}
