using System.Buffers.Binary;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;

namespace Fast.Exec.Validity;

/// <summary>Whether the leader may put a transaction in the entry it is building, and if not, why.</summary>
public enum Admission : byte
{
    Admitted,

    /// <summary>Its first signature is already in this entry.</summary>
    Duplicate,

    /// <summary>Its blockhash is unknown or too old for this slot.</summary>
    Blockhash,

    /// <summary>This fork already processed its signature.</summary>
    AlreadyProcessed,

    /// <summary>Its fee payer would fail <see cref="FeeRule.CheckPayer"/> when the entry executes.</summary>
    FeePayer,

    /// <summary>The block's budget of new account data (<see cref="AccountDataBudget"/>) is spent.</summary>
    BlockDataFull,

    /// <summary>The block holds as many transactions, signatures or bytes as it may (<see cref="BlockCapacity"/>).</summary>
    BlockFull,
}

/// <summary>
/// The leader's admission of transactions into an entry it will record before executing it (record,
/// then execute: docs/block-validity.md). It must never admit a transaction that would not be
/// committed when the entry runs, so it applies the block-validity rules the replayer applies —
/// the same functions: <see cref="FeeRule.CheckPayer"/>, <see cref="BlockCapacity.TryReserve"/>, <see cref="AccountDataBudget.TryReserve"/>,
/// blockhash age, status cache — to a conservative projection of every account at the moment
/// each transaction will run: the working bank's state (every earlier entry has executed) minus
/// every debit the entry's earlier transactions may make (their fees, and the lamports of every
/// system Transfer or CreateAccount from the account, as if all succeed), credits ignored, and any
/// account an earlier transaction may hand to another owner or give data (Assign, Allocate, the new
/// account of CreateAccount) treated as no longer able to pay. The projection is a lower bound of
/// the real state and <see cref="FeeRule.CheckPayer"/> is monotone in it, so an admitted
/// transaction always pays its fee. Allocates nothing in steady state (its tables are reused).
/// <para>Threads: the banking thread only.</para>
/// </summary>
public sealed class EntryAdmission
{
    private readonly Dictionary<Pubkey, Projection> _projections = [];
    private readonly HashSet<Signature> _signatures = [];
    private ulong _blockSlot = ulong.MaxValue;
    private ulong _blockNewData;
    private int _blockTransactions;
    private int _blockSignatures;
    private long _blockBytes;

    private struct Projection
    {
        public ulong Debited;
        public bool MayChangeOwnerOrData;
    }

    /// <summary>New account data admitted into the current block so far.</summary>
    public ulong BlockNewDataBytes => _blockNewData;

    /// <summary>True while the current block can take another transaction of any size (<see cref="BlockCapacity.HasRoomForAny"/>): the leader stops gathering otherwise, and the rest wait for the next slot.</summary>
    public bool BlockHasRoom => BlockCapacity.HasRoomForAny(_blockTransactions, _blockSignatures, _blockBytes);

    /// <summary>Entry bytes the current block's admitted transactions take, headers counted as <see cref="BlockCapacity.TryReserveBytes"/> does.</summary>
    public long BlockBytes => _blockBytes;

    /// <summary>
    /// Starts an entry for <paramref name="bank"/> (whose state must include every entry recorded
    /// before this one): forgets the previous entry's projections; starts the block's data budget
    /// over when the bank is a new slot.
    /// </summary>
    public void BeginEntry(Bank bank)
    {
        ArgumentNullException.ThrowIfNull(bank);
        _projections.Clear();
        _signatures.Clear();
        if (bank.Slot != _blockSlot)
        {
            _blockSlot = bank.Slot;
            _blockNewData = 0;
            _blockTransactions = 0;
            _blockSignatures = 0;
            _blockBytes = 0;
        }
    }

    /// <summary>Checks <paramref name="tx"/> against the rules and, when admitted, adds its possible effects to the entry's projection.</summary>
    public Admission Admit(Bank bank, in TransactionView tx)
    {
        Signature signature = tx.FirstSignature;
        if (_signatures.Contains(signature)) return Admission.Duplicate;
        if (!bank.IsBlockhashValid(tx.RecentBlockhash)) return Admission.Blockhash;
        if (bank.TryGetSignatureStatus(signature, tx.RecentBlockhash, out _, out _)) return Admission.AlreadyProcessed;

        Pubkey payer = tx.FeePayer;
        Fast.Storage.Accounts.Account account = bank.GetAccount(payer);
        _projections.TryGetValue(payer, out Projection projection);
        ulong fee = FeeRule.Fee(tx.SignatureCount, bank.LamportsPerSignature);
        ulong lamports = account.Lamports > projection.Debited ? account.Lamports - projection.Debited : 0;
        int dataLength = projection.MayChangeOwnerOrData ? int.MaxValue : account.DataLength;
        if (FeeRule.CheckPayer(lamports, account.Owner, dataLength, fee) != TransactionError.None) return Admission.FeePayer;
        int transactions = _blockTransactions, signatures = _blockSignatures;
        long bytes = _blockBytes;
        if (!BlockCapacity.TryReserve(ref transactions, ref signatures, tx) || !BlockCapacity.TryReserveBytes(ref bytes, tx)) return Admission.BlockFull;
        if (!AccountDataBudget.TryReserve(ref _blockNewData, tx)) return Admission.BlockDataFull;
        _blockTransactions = transactions;
        _blockSignatures = signatures;
        _blockBytes = bytes;

        _signatures.Add(signature);
        Debit(payer, fee);
        ProjectInstructions(tx);
        return Admission.Admitted;
    }

    /// <summary>Adds what the transaction's system instructions may take from or change in each account.</summary>
    private void ProjectInstructions(in TransactionView tx)
    {
        foreach (InstructionView instruction in tx.Instructions)
        {
            ReadOnlySpan<byte> data = instruction.Data;
            ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
            if (data.Length < 4 || indexes.Length == 0 || tx.GetAccountKeyBytes(instruction.ProgramIdIndex).IndexOfAnyExcept((byte)0) >= 0) continue; // fails or touches nothing
            switch ((SystemInstructionKind)BinaryPrimitives.ReadUInt32LittleEndian(data))
            {
                case SystemInstructionKind.Transfer when data.Length == SystemInstruction.TransferDataLength:
                    Debit(tx.GetAccountKey(indexes[0]), BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
                    break;
                case SystemInstructionKind.CreateAccount when data.Length == SystemInstruction.CreateAccountDataLength:
                    Debit(tx.GetAccountKey(indexes[0]), BinaryPrimitives.ReadUInt64LittleEndian(data[4..]));
                    if (indexes.Length > 1) MayChangeOwnerOrData(tx.GetAccountKey(indexes[1]));
                    break;
                case SystemInstructionKind.Assign:
                case SystemInstructionKind.Allocate:
                    MayChangeOwnerOrData(tx.GetAccountKey(indexes[0]));
                    break;
            }
        }
    }

    private void Debit(in Pubkey key, ulong lamports)
    {
        ref Projection projection = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_projections, key, out _);
        projection.Debited = lamports > ulong.MaxValue - projection.Debited ? ulong.MaxValue : projection.Debited + lamports;
    }

    private void MayChangeOwnerOrData(in Pubkey key) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_projections, key, out _).MayChangeOwnerOrData = true;
}
