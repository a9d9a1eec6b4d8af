using Fast.Core.Genesis;
using Fast.Core.Primitives;
using Fast.Storage.Accounts;

namespace Fast.Exec.Banking;

/// <summary>
/// One slot's state on top of its parent: the accounts the slot touched (an
/// <see cref="AccountOverlay"/>; everything else reads through the ancestors to the rooted
/// <see cref="AccountsDb"/>), the recent-blockhash queue, fees collected for the slot leader,
/// and — once frozen — the bank hash
/// <c>sha256(parent bank hash ‖ accounts-delta hash ‖ u64 signature count ‖ last blockhash)</c>.
/// Child banks make forks; <see cref="BankForks"/> roots them (flushing overlays into FASTER) and
/// prunes the rest.
/// <para>Threads: a bank is built, executed, frozen and rooted on one owner thread (execution fans
/// out to the scheduler's workers inside <c>SealevelScheduler.Execute</c>). A
/// frozen bank is immutable and may be read from any thread until it is released.</para>
/// </summary>
public sealed partial class Bank
{
    private AccountOverlay? _overlay;
    private Hash _hash;
    private Hash _lastBlockhash;
    private Hash _accountsDeltaHash;

    /// <summary>A child of frozen <paramref name="parent"/> for <paramref name="slot"/>, led by <paramref name="leader"/> (who collects its fees).</summary>
    public Bank(Bank parent, ulong slot, Pubkey leader)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (!parent.IsFrozen) ThrowHelper.ThrowInvalidOperation($"parent bank {parent.Slot} is not frozen");
        if (parent.IsReleased || parent.IsDead) ThrowHelper.ThrowInvalidOperation($"parent bank {parent.Slot} was released");
        if (slot <= parent.Slot) ThrowHelper.ThrowArgument(nameof(slot), $"slot {slot} is not after its parent's slot {parent.Slot}");
        Context = parent.Context;
        Id = Context.NextBankId();
        Parent = parent;
        Slot = slot;
        Leader = leader;
        ParentHash = parent.Hash;
        BlockHeight = parent.BlockHeight + 1;
        Blockhashes = parent.Blockhashes.With(parent.LastBlockhash, parent.Slot);
        _overlay = Context.OverlayPool.Rent();
        Capitalization = parent.Capitalization;
        if (Context.Staking is StakingConfig staking && staking.SlotsPerEpoch > 0 && slot / staking.SlotsPerEpoch > parent.Slot / staking.SlotsPerEpoch)
        {
            ProcessEpochBoundary(staking, parent.Slot / staking.SlotsPerEpoch);
        }
    }

    private Bank(BankContext context, ulong slot, Pubkey leader, BlockhashQueue blockhashes, AccountOverlay? overlay, uint id = 0)
    {
        Context = context;
        Id = id != 0 ? id : context.NextBankId();
        Slot = slot;
        Leader = leader;
        Blockhashes = blockhashes;
        _overlay = overlay;
    }

    internal BankContext Context { get; }

    public ulong Slot { get; }

    /// <summary>This bank among every bank of its tree (from 1, never reused): two banks of one slot — a block and its duplicate — differ. The status cache names banks by it.</summary>
    internal uint Id { get; }

    /// <summary>The <see cref="Id"/> of every <see cref="RestoredRoot"/> stand-in: rooted by definition.</summary>
    internal const uint RestoredRootId = uint.MaxValue;

    /// <summary>The slot leader: receives the slot's fees when the bank freezes.</summary>
    public Pubkey Leader { get; }

    /// <summary>
    /// The parent bank while it is not flushed into the rooted store; null once it is (for the root,
    /// whose ancestors are gone, or — with a background root flush — still being written).
    /// </summary>
    public Bank? Parent { get; internal set; }

    public Hash ParentHash { get; }

    /// <summary>Blocks in this bank's chain before it (genesis is block height 0; skipped slots do not count).</summary>
    public ulong BlockHeight { get; private init; }

    /// <summary>The blockhashes a transaction in this slot may name.</summary>
    public BlockhashQueue Blockhashes { get; }

    public bool IsFrozen { get; private set; }

    /// <summary>The bank hash (valid once frozen).</summary>
    public Hash Hash => IsFrozen ? _hash : ThrowNotFrozen<Hash>();

    /// <summary>The slot's last PoH hash, given to <see cref="Freeze"/>: the blockhash its descendants may use.</summary>
    public Hash LastBlockhash => IsFrozen ? _lastBlockhash : ThrowNotFrozen<Hash>();

    /// <summary>The Merkle root over the hashes of the accounts this slot stored, sorted by pubkey (valid once frozen).</summary>
    public Hash AccountsDeltaHash => IsFrozen ? _accountsDeltaHash : ThrowNotFrozen<Hash>();

    /// <summary>Signatures of the committed transactions.</summary>
    public ulong SignatureCount { get; private set; }

    /// <summary>Committed transactions (successful or not).</summary>
    public ulong TransactionCount { get; private set; }

    /// <summary>Fees charged so far; credited to <see cref="Leader"/> at <see cref="Freeze"/>.</summary>
    public ulong CollectedFees { get; private set; }

    public ulong LamportsPerSignature => Context.LamportsPerSignature;

    /// <summary>The rent-exempt minimum schedule (genesis's).</summary>
    public Rent Rent => Context.Rent;

    /// <summary>Total lamports in existence: genesis's, plus the rewards issued and minus the stake burnt at the epoch boundaries of this bank's chain.</summary>
    public ulong Capitalization { get; private set; }

    public StatusCache StatusCache => Context.Status;

    /// <summary>
    /// The slot is final. Its accounts are in the rooted store once <see cref="IsFlushed"/>; with
    /// <see cref="BankForksOptions.FlushInBackground"/> that follows a little later, and until then its
    /// overlay stays readable below its descendants.
    /// </summary>
    public bool IsRooted
    {
        get => _rooted;
        internal set
        {
            _rooted = value;
            if (value && Id != RestoredRootId) Context.Status.MarkRooted(Slot, Id);
        }
    }

    private bool _rooted;

    private volatile bool _flushed;

    /// <summary>
    /// Every account this (rooted) slot stored is in the rooted store (FASTER): reads below it go there
    /// instead of to its overlay. Set by the thread that flushed it (the owner thread, or BankForks' root
    /// flush thread); read from any thread.
    /// </summary>
    public bool IsFlushed
    {
        get => _flushed;
        internal set => _flushed = value;
    }

    /// <summary>The bank was on a fork that lost (pruned when a sibling line was rooted).</summary>
    public bool IsDead { get; internal set; }

    /// <summary>The bank's overlay was given back; it can no longer be read (it was rooted past, or pruned).</summary>
    public bool IsReleased { get; internal set; }

    /// <summary>Accounts this slot touched (loaded or written); 0 after the overlay is flushed.</summary>
    public int TouchedAccounts => _overlay?.Count ?? 0;

    internal AccountOverlay? Overlay => _overlay;

    /// <summary>The overlay during execution (never null then: the scheduler checked the bank is executable).</summary>
    internal AccountOverlay OverlayForExecution => _overlay!;

    /// <summary>
    /// Slot 0: the genesis accounts written into a fresh overlay, frozen with the genesis hash as its
    /// last blockhash (so slot 1 may use it). Not rooted: give it to <see cref="BankForks"/> to root it.
    /// Its bank tree rents account data from <paramref name="dataPool"/> (null: a new pool).
    /// </summary>
    public static Bank Genesis(AccountsDb accounts, GenesisConfig genesis, AccountDataPool? dataPool = null)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(genesis);
        List<(Pubkey Key, Account Account)> all = [.. genesis.Accounts];
        if (genesis.Staking is StakingConfig staking) all.AddRange(staking.GenesisAccounts(genesis.Rent));
        ulong capitalization = 0;
        foreach ((_, Account account) in all) capitalization = checked(capitalization + account.Lamports);
        BankContext context = new(accounts, genesis.LamportsPerSignature, capitalization, genesis.Rent, genesis.Staking, genesis.GenesisHash, dataPool);
        Bank bank = new(context, 0, genesis.Leader, BlockhashQueue.Empty, context.OverlayPool.Rent()) { Capitalization = capitalization };
        foreach ((Pubkey key, Account account) in all)
        {
            if (!account.Exists) continue;
            if (bank._overlay!.Find(key) >= 0) ThrowHelper.ThrowArgument(nameof(genesis), $"genesis lists account {key} twice");
            int index = bank._overlay.Add(key, account.Lamports, account.Owner, account.Executable, account.DataArray);
            bank._overlay[index].Written = true;
        }
        bank.Freeze(genesis.GenesisHash);
        return bank;
    }

    /// <summary>The root bank a recovered <see cref="AccountsDb"/> holds (its checkpoint's slot and saved state).</summary>
    internal static Bank FromRoot(AccountsDb accounts, ulong slot, BankState state, Rent rent, StakingConfig? staking = null, Hash genesisHash = default, AccountDataPool? dataPool = null)
    {
        BankContext context = new(accounts, state.LamportsPerSignature, state.Capitalization, rent, staking, genesisHash, dataPool) { RootSlot = slot };
        Bank bank = new(context, slot, default, BlockhashQueue.FromEntries(state.Blockhashes), overlay: null)
        {
            IsFrozen = true,
            IsRooted = true,
            IsFlushed = true,
            SignatureCount = state.SignatureCount,
            Capitalization = state.Capitalization,
            BlockHeight = state.BlockHeight ?? slot, // a version-1 root record did not save it: the slot is the best guess
        };
        bank._hash = state.BankHash;
        bank._lastBlockhash = state.LastBlockhash;
        return bank;
    }

    /// <summary>A stand-in for a rooted slot from before a restart, known only by its slot (for restored status-cache entries).</summary>
    internal static Bank RestoredRoot(BankContext context, ulong slot) =>
        new(context, slot, default, BlockhashQueue.Empty, overlay: null, RestoredRootId) { IsFrozen = true, IsRooted = true, IsFlushed = true, IsReleased = true };

    /// <summary>Writes what the checkpoint of this (rooted, frozen) bank saves beside the accounts (a <see cref="BankState"/>); returns the length.</summary>
    internal int WriteState(Span<byte> destination) =>
        BankState.Write(destination, Hash, LastBlockhash, Capitalization, LamportsPerSignature, SignatureCount, BlockHeight, Blockhashes.Entries);

    internal int StateSize => BankState.SizeOf(Blockhashes.Count);

    /// <summary>The account as this slot sees it (<see cref="Account.Empty"/> when it does not exist).</summary>
    public Account GetAccount(in Pubkey key)
    {
        AccountOverlay? overlay = ReadableOverlay();
        if (overlay is not null)
        {
            int index = overlay.Find(key);
            if (index >= 0 && overlay[index].Loaded) return overlay[index].ToAccount();
        }
        LoadBelow(key, Storage.SeededHash.Of(key), dataPool: null, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data);
        return lamports == 0 ? Account.Empty : new Account(lamports, owner, executable, data);
    }

    public ulong GetBalance(in Pubkey key) => GetAccount(key).Lamports;

    /// <summary>Whether a transaction naming <paramref name="blockhash"/> may execute in this slot.</summary>
    public bool IsBlockhashValid(in Hash blockhash) => Blockhashes.Check(blockhash, Slot) == TransactionError.None;

    /// <summary>The outcome of the transaction with <paramref name="signature"/> if it was processed on this bank's fork (owner thread; scans recent blockhashes).</summary>
    public bool TryGetSignatureStatus(in Signature signature, out ulong slot, out TransactionError error) =>
        Context.Status.TryGetStatus(signature, this, out slot, out error);

    /// <summary>
    /// The same for a transaction whose recent blockhash is known (its status is kept under that
    /// blockhash, and a signature covers the blockhash): one lookup instead of one per recent blockhash —
    /// the form for hot paths (owner thread).
    /// </summary>
    public bool TryGetSignatureStatus(in Signature signature, in Hash recentBlockhash, out ulong slot, out TransactionError error) =>
        Context.Status.TryGetStatus(signature, recentBlockhash, this, out slot, out error);

    /// <summary>
    /// Every existing account as this slot sees it (cold: scans the rooted store; for audits and
    /// tests, e.g. checking that lamports are conserved).
    /// </summary>
    public Dictionary<Pubkey, Account> ReadAllAccounts()
    {
        Stack<AccountOverlay> unflushed = new();
        for (Bank? bank = this; bank is not null && !bank.IsFlushed; bank = bank.Parent)
        {
            unflushed.Push(bank.ReadableOverlay() ?? throw new InvalidOperationException($"bank {bank.Slot} has no overlay"));
        }
        Dictionary<Pubkey, Account> accounts = Context.Accounts.ReadAll();
        while (unflushed.Count > 0)
        {
            AccountOverlay overlay = unflushed.Pop();
            for (int i = 0; i < overlay.Count; i++)
            {
                ref AccountEntry entry = ref overlay[i];
                if (!entry.Written) continue;
                if (entry.Exists) accounts[entry.Key] = entry.ToAccount();
                else accounts.Remove(entry.Key);
            }
        }
        return accounts;
    }

    public override string ToString() => $"bank {Slot} (parent {Parent?.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {(IsFrozen ? "frozen " + _hash : "open")})";

    /// <summary>This bank's overlay, or null when it is the flushed root (its state is the rooted store's).</summary>
    private AccountOverlay? ReadableOverlay()
    {
        AccountOverlay? overlay = _overlay;
        if (overlay is null && (IsReleased || !IsFlushed)) ThrowHelper.ThrowReleased(Slot);
        return overlay;
    }

    /// <summary>
    /// Fills an entry added unloaded with <paramref name="key"/> (whose <see cref="Storage.SeededHash"/> is
    /// <paramref name="hash"/>) and its state from below this slot. Called by the one thread
    /// that may touch the entry: the coordinator before the entry's batch is dispatched, or the
    /// worker holding its write lock. Reads only frozen ancestors and the rooted store.
    /// </summary>
    internal void Load(ref AccountEntry entry, in Pubkey key, int hash)
    {
        entry.Key = key;
        entry.KeyHash = hash;
        LoadBelow(key, hash, Context.DataPool, out entry.Lamports, out entry.Owner, out entry.Executable, out entry.Data);
        entry.OwnsData = entry.Data.Length != 0; // a private copy (from an ancestor) or a fresh read (from the store)
        entry.Loaded = true;
    }

    /// <summary>Loads an unloaded entry from the nearest unflushed ancestor that holds <paramref name="key"/>; false when none does (the rooted store has it). Coordinator, before dispatch.</summary>
    internal bool TryLoadFromAncestors(ref AccountEntry entry, in Pubkey key, int hash)
    {
        if (IsFlushed) return false;
        for (Bank? ancestor = Parent; ancestor is not null && !ancestor.IsFlushed; ancestor = ancestor.Parent)
        {
            AccountOverlay? overlay = ancestor._overlay;
            if (overlay is null) break;
            int index = overlay.Find(key, hash);
            if (index < 0 || !overlay[index].Loaded) continue;
            ref AccountEntry found = ref overlay[index];
            entry.Key = key;
            entry.KeyHash = hash;
            entry.Lamports = found.Lamports;
            entry.Owner = found.Owner;
            entry.Executable = found.Executable;
            entry.Data = PrivateCopy(found, Context.DataPool);
            entry.OwnsData = entry.Data.Length != 0;
            entry.Loaded = true;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Loads an unloaded entry with <paramref name="account"/> as the rooted store returned it
    /// (<see cref="Account.Empty"/>: absent). Its data array was made for this read alone, so the entry
    /// owns it (the caller drops its reference). Coordinator, before dispatch.
    /// </summary>
    internal static void LoadFrom(ref AccountEntry entry, in Pubkey key, int hash, in Account account)
    {
        entry.Key = key;
        entry.KeyHash = hash;
        entry.Lamports = account.Lamports;
        entry.Owner = account.Owner;
        entry.Executable = account.Executable;
        entry.Data = account.DataArray;
        entry.OwnsData = entry.Data.Length != 0;
        entry.Loaded = true;
    }

    /// <summary>The overlay of the nearest unrooted ancestor (where a first touch usually loads from), or null.</summary>
    internal AccountOverlay? ParentOverlay => Parent is { IsFlushed: false } parent ? parent._overlay : null;

    /// <summary>
    /// The state of <paramref name="key"/> just before this slot: the nearest unrooted ancestor that
    /// touched it, else the rooted store. The data is always an array only the caller holds (an
    /// ancestor's array is copied, never shared: that overlay gives it back to the pool when recycled):
    /// rented from <paramref name="dataPool"/> when given, else new.
    /// </summary>
    private void LoadBelow(in Pubkey key, int hash, AccountDataPool? dataPool, out ulong lamports, out Pubkey owner, out bool executable, out byte[] data)
    {
        if (!IsFlushed)
        {
            // Newest first; a rooted ancestor still being flushed in the background is read from its overlay
            // (flushes run oldest first, so every ancestor below the first flushed one is flushed too).
            for (Bank? ancestor = Parent; ancestor is not null && !ancestor.IsFlushed; ancestor = ancestor.Parent)
            {
                AccountOverlay? overlay = ancestor._overlay;
                if (overlay is null) break;
                int index = overlay.Find(key, hash);
                if (index < 0 || !overlay[index].Loaded) continue;
                ref AccountEntry entry = ref overlay[index];
                lamports = entry.Lamports;
                owner = entry.Owner;
                executable = entry.Executable;
                data = PrivateCopy(entry, dataPool);
                return;
            }
        }
        Context.Accounts.TryRead(key, dataPool, out lamports, out owner, out executable, out data);
    }

    /// <summary>
    /// A copy of an ancestor entry's data for a reader that keeps it: the ancestor's overlay may give its
    /// own array back to the pool once it is recycled, while this slot (and its descendants) still hold
    /// theirs. Every non-empty array is copied (even a genesis array nobody pools), so whatever a load
    /// puts in an entry is the entry's own; empty data is the empty array.
    /// </summary>
    private static byte[] PrivateCopy(in AccountEntry entry, AccountDataPool? dataPool)
    {
        if (entry.Data.Length == 0) return [];
        return dataPool is null ? entry.Data.AsSpan().ToArray() : dataPool.RentCopy(entry.Data);
    }

    private T ThrowNotFrozen<T>()
    {
        ThrowHelper.ThrowInvalidOperation($"bank {Slot} is not frozen yet");
        return default!;
    }
}
