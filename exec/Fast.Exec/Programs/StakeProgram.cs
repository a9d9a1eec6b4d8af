using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Runtime;

namespace Fast.Exec.Programs;

/// <summary>
/// The rules the stake program runs under, fixed by genesis: epoch length, the warm-up/cool-down rate,
/// the rent schedule (a stake account's reserve) and the genesis hash (the leader schedule's seed, which
/// slashing evidence checks its accused leader against). Null on a cluster without staking (a genesis
/// before version 3): the stake and vote programs then refuse every instruction (UnsupportedProgram).
/// </summary>
public sealed record StakeRules(ulong SlotsPerEpoch, ulong WarmupCooldownBps, Core.Genesis.Rent Rent)
{
    public Hash GenesisHash { get; init; }

    public ulong EpochOf(ulong slot) => slot / SlotsPerEpoch;
}

/// <summary>
/// The stake program (program id <see cref="Id"/> = sha256("fast/program/stake")): stake accounts
/// (<see cref="StakeState"/>) created, delegated to a vote account, deactivated and withdrawn from;
/// activation and deactivation take effect at epoch boundaries with warm-up and cool-down
/// (<see cref="StakeActivation"/>), applied by the bank's epoch processing (Banking/Bank.Epochs.cs),
/// which also pays rewards and burns slashed stake. The slashing evidence instructions live in
/// StakeProgram.Evidence.cs. Every check happens before any write; errors are typed
/// <see cref="TransactionError"/>s (docs/programs.md "Stake program").
/// </summary>
public static partial class StakeProgram
{
    public static Pubkey Id { get; } = BuiltinPrograms.DeriveId("stake");

    /// <summary>Runs one instruction; its account indexes are transaction account indexes.</summary>
    public static TransactionError Execute(in InvokeContext context, in InstructionView instruction)
    {
        if (context.Stake is not StakeRules rules) return TransactionError.UnsupportedProgram;
        if (!StakeInstructionData.TryDecode(instruction.Data, out StakeInstructionData data).IsOk) return TransactionError.InvalidInstruction;
        ReadOnlySpan<byte> indexes = instruction.AccountIndexes;
        int needed = data.Kind switch
        {
            StakeInstructionKind.Initialize => 1,
            StakeInstructionKind.Deactivate or StakeInstructionKind.WriteEvidence => 2,
            StakeInstructionKind.ReportEquivocation => 4,
            _ => 4,
        };
        if (indexes.Length < needed) return TransactionError.NotEnoughAccountKeys;
        ulong epoch = rules.EpochOf(context.Slot);
        return data.Kind switch
        {
            StakeInstructionKind.Initialize => Initialize(ref context.Accounts[indexes[0]], data.Authority, rules),
            StakeInstructionKind.Delegate => Delegate(context, indexes[0], indexes[1], indexes[2], indexes[3], epoch, rules),
            StakeInstructionKind.Deactivate => Deactivate(context, indexes[0], indexes[1], epoch),
            StakeInstructionKind.Withdraw => Withdraw(context, indexes[0], indexes[1], indexes[2], indexes[3], data.Lamports, epoch, rules),
            StakeInstructionKind.WriteEvidence => WriteEvidence(context, indexes[0], indexes[1], data.Offset, data.Chunk),
            _ => ReportEquivocation(context, indexes[0], indexes[1], indexes[2], indexes[3], rules),
        };
    }

    private static TransactionError Initialize(ref ScratchAccount stake, in Pubkey authority, StakeRules rules)
    {
        if (stake.Owner != Id) return TransactionError.InvalidAccountOwner;
        if (!stake.IsWritable) return TransactionError.ReadonlyAccountModified;
        if (stake.Data.Length != StakeState.Length) return TransactionError.InvalidAccountData;
        if (stake.Data[0] != 0) return TransactionError.AccountAlreadyInitialized;
        StakeState state = new()
        {
            Kind = StakeState.InitializedKind,
            Authority = authority,
            ActivationEpoch = StakeState.NoEpoch,
            DeactivationEpoch = StakeState.NoEpoch,
            RentExemptReserve = rules.Rent.MinimumBalance(StakeState.Length),
            LastRewardEpoch = StakeState.NoEpoch,
        };
        state.Write(BuiltinPrograms.WritableData(ref stake));
        return TransactionError.None;
    }

    private static TransactionError Delegate(in InvokeContext context, int stakeIndex, int voteIndex, int historyIndex, int authorityIndex, ulong epoch, StakeRules rules)
    {
        ref ScratchAccount stakeAccount = ref context.Accounts[stakeIndex];
        TransactionError error = ReadStake(stakeAccount, out StakeState stake);
        if (error != TransactionError.None) return error;
        error = CheckAuthority(context, authorityIndex, stake.Authority);
        if (error != TransactionError.None) return error;
        ref ScratchAccount vote = ref context.Accounts[voteIndex];
        if (vote.Owner != VoteProgram.Id || !VoteState.TryRead(vote.Data, out _)) return TransactionError.InvalidVoteAccount;
        error = ReadHistory(context, historyIndex, out StakeHistoryData history);
        if (error != TransactionError.None) return error;
        if (stake.IsDelegated)
        {
            // Re-delegation only once the previous delegation is fully inactive (Solana: TooSoonToRedelegate).
            if (stake.DeactivationEpoch == StakeState.NoEpoch) return TransactionError.StakeTooSoonToRedelegate;
            StakeActivationStatus status = StakeActivation.At(stake, epoch, history, rules.WarmupCooldownBps);
            if (status.Effective != 0 || status.Activating != 0 || status.Deactivating != 0) return TransactionError.StakeTooSoonToRedelegate;
        }
        if (stakeAccount.Lamports <= stake.RentExemptReserve) return TransactionError.InsufficientFunds;
        if (stakeAccount.IsWritable is false) return TransactionError.ReadonlyAccountModified;
        stake.Kind = StakeState.DelegatedKind;
        stake.VoteAccount = context.Key(voteIndex);
        stake.Stake = stakeAccount.Lamports - stake.RentExemptReserve;
        stake.ActivationEpoch = epoch;
        stake.DeactivationEpoch = StakeState.NoEpoch;
        stake.Write(BuiltinPrograms.WritableData(ref stakeAccount));
        return TransactionError.None;
    }

    private static TransactionError Deactivate(in InvokeContext context, int stakeIndex, int authorityIndex, ulong epoch)
    {
        ref ScratchAccount stakeAccount = ref context.Accounts[stakeIndex];
        TransactionError error = ReadStake(stakeAccount, out StakeState stake);
        if (error != TransactionError.None) return error;
        error = CheckAuthority(context, authorityIndex, stake.Authority);
        if (error != TransactionError.None) return error;
        if (!stake.IsDelegated) return TransactionError.StakeNotDelegated;
        if (stake.DeactivationEpoch != StakeState.NoEpoch) return TransactionError.StakeAlreadyDeactivated;
        if (!stakeAccount.IsWritable) return TransactionError.ReadonlyAccountModified;
        stake.DeactivationEpoch = epoch;
        stake.Write(BuiltinPrograms.WritableData(ref stakeAccount));
        return TransactionError.None;
    }

    private static TransactionError Withdraw(in InvokeContext context, int stakeIndex, int destinationIndex, int historyIndex, int authorityIndex, ulong lamports, ulong epoch, StakeRules rules)
    {
        ref ScratchAccount stakeAccount = ref context.Accounts[stakeIndex];
        ref ScratchAccount destination = ref context.Accounts[destinationIndex];
        TransactionError error = ReadStake(stakeAccount, out StakeState stake);
        if (error != TransactionError.None) return error;
        error = CheckAuthority(context, authorityIndex, stake.Authority);
        if (error != TransactionError.None) return error;
        error = ReadHistory(context, historyIndex, out StakeHistoryData history);
        if (error != TransactionError.None) return error;
        if (stakeIndex == destinationIndex) return TransactionError.InvalidArgument;
        if (!stakeAccount.IsWritable || !destination.IsWritable) return TransactionError.ReadonlyAccountModified;
        // Staked: the whole delegation until it is deactivated (activating stake included, as Solana does), then what is still cooling down.
        ulong staked = 0;
        if (stake.IsDelegated)
        {
            staked = stake.DeactivationEpoch == StakeState.NoEpoch
                ? stake.Stake
                : StakeActivation.At(stake, epoch, history, rules.WarmupCooldownBps).Effective;
        }
        if (lamports > stakeAccount.Lamports) return TransactionError.InsufficientFunds;
        bool closing = lamports == stakeAccount.Lamports;
        if (closing)
        {
            if (staked != 0) return TransactionError.StakeStillActive;
        }
        else
        {
            ulong locked = checked(staked + stake.RentExemptReserve);
            if (lamports > stakeAccount.Lamports - Math.Min(locked, stakeAccount.Lamports))
            {
                return staked != 0 && lamports <= stakeAccount.Lamports - Math.Min(stake.RentExemptReserve, stakeAccount.Lamports)
                    ? TransactionError.StakeStillActive
                    : TransactionError.InsufficientFunds;
            }
        }
        if (destination.Lamports > ulong.MaxValue - lamports) return TransactionError.ArithmeticOverflow;
        stakeAccount.Lamports -= lamports;
        destination.Lamports += lamports;
        if (closing)
        {
            stakeAccount.Data = [];
            stakeAccount.Owner = default;
        }
        else if (stake.IsDelegated && stake.DeactivationEpoch != StakeState.NoEpoch && stake.Stake > stakeAccount.Lamports - stake.RentExemptReserve)
        {
            // Withdrawn past what the delegation recorded (an inactive stake's lamports): the record follows the balance.
            stake.Stake = stakeAccount.Lamports - stake.RentExemptReserve;
            stake.Write(BuiltinPrograms.WritableData(ref stakeAccount));
        }
        return TransactionError.None;
    }

    /// <summary>An initialized stake account of this program.</summary>
    private static TransactionError ReadStake(in ScratchAccount account, out StakeState stake)
    {
        stake = default;
        if (account.Owner != Id) return TransactionError.InvalidAccountOwner;
        return StakeState.TryRead(account.Data, out stake) ? TransactionError.None : TransactionError.InvalidAccountData;
    }

    /// <summary>The stake history account (read-only is enough; read in place, no copy): it must be the one at <see cref="StakeAddresses.StakeHistory"/>.</summary>
    private static TransactionError ReadHistory(in InvokeContext context, int index, out StakeHistoryData history)
    {
        history = default;
        if (context.Key(index) != StakeAddresses.StakeHistory) return TransactionError.InvalidArgument;
        ref ScratchAccount account = ref context.Accounts[index];
        if (account.Owner != Id || !StakeHistoryData.TryCreate(account.Data, out history)) return TransactionError.InvalidAccountData;
        return TransactionError.None;
    }

    private static TransactionError CheckAuthority(in InvokeContext context, int index, in Pubkey authority)
    {
        if (context.Key(index) != authority) return TransactionError.InvalidAuthority;
        return context.Accounts[index].IsSigner ? TransactionError.None : TransactionError.MissingRequiredSignature;
    }
}
