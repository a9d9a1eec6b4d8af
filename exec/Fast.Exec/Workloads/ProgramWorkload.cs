using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;
using CoreRent = Fast.Core.Genesis.Rent;

namespace Fast.Exec.Workloads;

/// <summary>
/// The mixed-program traffic of `fast bench exec --workload mixed` (and of the mixed-block allocation
/// budget in tests/Fast.Exec.Tests): blocks where every built-in program
/// runs beside the others, in a fixed ratio per <see cref="UnitTransactions"/> transactions — 10 token
/// transfers, 2 token mints, 6 system transfers, one multisig cycle (propose, two approvals of a
/// 2-of-3, execute paying out of the vault) and 2 stake operations (create + delegate, deactivate the
/// stake created one block earlier). Accounts are drawn at random from a large pool per block, so the
/// block is conflict-free except where the programs make it not: a mint is one account written by
/// every mint to it (<see cref="Mints"/> of them), and a multisig cycle's four steps share the proposal (spread a quarter
/// of a block apart, in order). Each block creates new proposal and stake accounts, so blocks are made
/// one after another (<see cref="NextBlock"/>) and must run once each, in order, on one chain. Signatures
/// are not real (execution does not check them); <see cref="ProgramBlock.Refresh"/> stamps unique ones.
/// Bench thread only; cold path (allocates while building blocks).
/// </summary>
public sealed class ProgramWorkload
{
    /// <summary>Transactions per unit of the mix (see the summary for the ratio).</summary>
    public const int UnitTransactions = 24;

    public const int TokenTransfersPerUnit = 10;
    public const int TokenMintsPerUnit = 2;
    public const int SystemTransfersPerUnit = 6;
    public const int MultisigStepsPerUnit = 4;
    public const int StakeOperationsPerUnit = 2;

    /// <summary>Mints: every mint-to writes its mint, so these are the workload's intended hot accounts.</summary>
    public const int Mints = 256;

    private const ulong WalletLamports = 1_000_000_000_000;
    private const ulong TokenBalance = 1_000_000_000_000;
    private const ulong StakeLamports = 1_000_000_000;
    private const ulong ProposalLifetimeSlots = 1_000_000_000;

    /// <summary>Pairs one unit uses: token transfers, mints, system transfers, and one spare (the first block's missing deactivations).</summary>
    public const int PairsPerUnit = TokenTransfersPerUnit + TokenMintsPerUnit + SystemTransfersPerUnit + 1;

    private readonly int _seed;
    private readonly Random _random;
    private readonly CoreRent _rent = CoreRent.Default;
    private readonly Pubkey[] _wallets;
    private readonly Pubkey[] _tokenAccounts;
    private readonly Pubkey[] _mints = new Pubkey[Mints];
    private readonly Pubkey[] _mintAuthorities = new Pubkey[Mints];
    private readonly Pubkey[] _multisigs;
    private readonly Pubkey[] _vaults;
    private readonly Pubkey[] _members;
    private readonly Pubkey[] _stakers;
    private readonly Pubkey[] _validatorIdentities = new Pubkey[2];
    private readonly Pubkey[] _voteAccounts = new Pubkey[2];
    private readonly int[] _pairOrder;
    private int _blocks;

    /// <param name="pairs">Wallet pairs (each wallet with a token account): the pool a block draws from; at least <c>PairsPerUnit × units</c>.</param>
    /// <param name="units">Units of <see cref="UnitTransactions"/> transactions per block.</param>
    /// <param name="seed">Derives the keys and the random draws: the same seed gives the same blocks.</param>
    public ProgramWorkload(int pairs, int units, int seed = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pairs, PairsPerUnit * units);
        _seed = seed;
        _random = new Random(seed);
        Units = units;
        _wallets = Keys(1, 2 * pairs);
        _tokenAccounts = Keys(2, 2 * pairs);
        _multisigs = Keys(3, units);
        _members = Keys(4, 3 * units);
        _stakers = Keys(5, 2 * units);
        _vaults = new Pubkey[units];
        for (int i = 0; i < units; i++) _vaults[i] = MultisigVault.Derive(_multisigs[i]);
        for (int m = 0; m < Mints; m++)
        {
            _mints[m] = Key(6, m);
            _mintAuthorities[m] = Key(7, m);
        }
        for (int v = 0; v < 2; v++)
        {
            _validatorIdentities[v] = Key(8, v);
            _voteAccounts[v] = Key(9, v);
        }
        _pairOrder = new int[pairs];
        for (int i = 0; i < pairs; i++) _pairOrder[i] = i;
    }

    public int Units { get; }

    /// <summary>Transactions in every block (the first block swaps its deactivations for system transfers).</summary>
    public int TransactionsPerBlock => Units * UnitTransactions;

    /// <summary>Accounts genesis creates (besides the staking accounts genesis adds for the two validators).</summary>
    public int GenesisAccounts => _wallets.Length + _tokenAccounts.Length + 2 * Mints + 2 * _multisigs.Length + _members.Length + _stakers.Length;

    /// <summary>
    /// Genesis: every wallet, member, staker and mint authority funded; every token account holding
    /// <see cref="TokenBalance"/> of its pair's mint; the mints (cap far above what a run mints); the 2-of-3
    /// multisigs with funded vaults; and staking with two validators (epochs long enough that no boundary
    /// falls inside a run).
    /// </summary>
    public GenesisConfig Genesis(Hash genesisHash, Pubkey leader)
    {
        List<(Pubkey, Account)> accounts = new(GenesisAccounts);
        foreach (Pubkey wallet in _wallets) accounts.Add((wallet, System(WalletLamports)));
        foreach (Pubkey member in _members) accounts.Add((member, System(WalletLamports)));
        foreach (Pubkey staker in _stakers) accounts.Add((staker, System(WalletLamports)));
        ulong tokenRent = _rent.MinimumBalance(TokenAccountState.Length);
        ulong[] supply = new ulong[Mints];
        for (int i = 0; i < _tokenAccounts.Length; i++)
        {
            byte[] data = new byte[TokenAccountState.Length];
            int mint = MintOfPair(i / 2);
            new TokenAccountState { Mint = _mints[mint], Owner = _wallets[i], Amount = TokenBalance }.Write(data);
            accounts.Add((_tokenAccounts[i], new Account(tokenRent, TokenProgram.Id, false, data)));
            supply[mint] += TokenBalance;
        }
        for (int m = 0; m < Mints; m++)
        {
            byte[] data = new byte[MintState.Length];
            new MintState { Decimals = 6, MintAuthority = _mintAuthorities[m], MaxSupply = ulong.MaxValue / 2, MintedTotal = supply[m] }.Write(data);
            accounts.Add((_mints[m], new Account(_rent.MinimumBalance(MintState.Length), TokenProgram.Id, false, data)));
            accounts.Add((_mintAuthorities[m], System(WalletLamports)));
        }
        for (int i = 0; i < _multisigs.Length; i++)
        {
            byte[] signers = new byte[3 * Pubkey.Size];
            for (int j = 0; j < 3; j++) _members[3 * i + j].CopyTo(signers.AsSpan(j * Pubkey.Size, Pubkey.Size));
            byte[] data = new byte[MultisigView.Length];
            MultisigVault.Derive(_multisigs[i], out byte bump);
            MultisigView.Write(data, 2, signers, ProposalLifetimeSlots, _vaults[i], bump);
            accounts.Add((_multisigs[i], new Account(_rent.MinimumBalance(MultisigView.Length), MultisigProgram.Id, false, data)));
            accounts.Add((_vaults[i], System(WalletLamports)));
        }
        StakingConfig staking = new()
        {
            SlotsPerEpoch = 1_000_000,
            SlotsPerYear = 52_596_000, // 600 ms slots
            Validators = [(_validatorIdentities[0], _voteAccounts[0], 1_000_000_000_000_000), (_validatorIdentities[1], _voteAccounts[1], 1_000_000_000_000_000)],
        };
        return new GenesisConfig(genesisHash, accounts) { Leader = leader, Staking = staking };
    }

    /// <summary>The next block of the sequence (see the summary: blocks run once each, in order).</summary>
    public ProgramBlock NextBlock()
    {
        int block = _blocks++;
        _random.Shuffle(_pairOrder);
        int nextPair = 0;
        int PickPair() => _pairOrder[nextPair++];

        // Per unit: the 20 single transactions, then the multisig cycle's 4 steps, laid out as 4 phases of 6.
        List<byte[]> transactions = new(TransactionsPerBlock);
        byte[][][] singles = new byte[Units][][];
        byte[][][] cycles = new byte[Units][][];
        for (int u = 0; u < Units; u++)
        {
            byte[][] unit = new byte[UnitTransactions - MultisigStepsPerUnit][];
            int k = 0;
            for (int i = 0; i < TokenTransfersPerUnit; i++)
            {
                int p = PickPair();
                unit[k++] = Unsigned(_wallets[2 * p], TokenInstruction.Transfer(_tokenAccounts[2 * p], _tokenAccounts[2 * p + 1], _wallets[2 * p], 1));
            }
            for (int i = 0; i < TokenMintsPerUnit; i++)
            {
                int p = PickPair();
                int mint = MintOfPair(p);
                unit[k++] = Unsigned(_mintAuthorities[mint], TokenInstruction.MintTo(_mints[mint], _tokenAccounts[2 * p], _mintAuthorities[mint], 1));
            }
            for (int i = 0; i < SystemTransfersPerUnit; i++)
            {
                int p = PickPair();
                unit[k++] = Unsigned(_wallets[2 * p], SystemInstruction.Transfer(_wallets[2 * p], _wallets[2 * p + 1], 1));
            }
            Pubkey staker = _stakers[(block % 2) * Units + u];
            Pubkey stake = StakeKey(block, u);
            unit[k++] = Unsigned(staker,
                StakeInstruction.CreateStakeAccount(staker, stake, _rent.MinimumBalance(StakeState.Length) + StakeLamports),
                StakeInstruction.Initialize(stake, staker),
                StakeInstruction.Delegate(stake, _voteAccounts[u % 2], staker));
            if (block == 0)
            {
                int p = PickPair();
                unit[k++] = Unsigned(_wallets[2 * p], SystemInstruction.Transfer(_wallets[2 * p], _wallets[2 * p + 1], 1));
            }
            else
            {
                Pubkey previousStaker = _stakers[((block - 1) % 2) * Units + u];
                unit[k++] = Unsigned(previousStaker, StakeInstruction.Deactivate(StakeKey(block - 1, u), previousStaker));
            }
            singles[u] = unit;
            cycles[u] = MultisigCycle(block, u);
        }
        const int singlesPerPhase = (UnitTransactions - MultisigStepsPerUnit) / MultisigStepsPerUnit;
        for (int phase = 0; phase < MultisigStepsPerUnit; phase++)
        {
            for (int u = 0; u < Units; u++)
            {
                for (int i = 0; i < singlesPerPhase; i++) transactions.Add(singles[u][phase * singlesPerPhase + i]);
                transactions.Add(cycles[u][phase]);
            }
        }
        return ProgramBlock.Pack(transactions);
    }

    /// <summary>Multisig <paramref name="unit"/>'s cycle in <paramref name="block"/>: propose (a new proposal account), approve by members 0 and 1, execute (the vault pays member 2).</summary>
    private byte[][] MultisigCycle(int block, int unit)
    {
        Pubkey multisig = _multisigs[unit], vault = _vaults[unit];
        Pubkey proposer = _members[3 * unit], second = _members[3 * unit + 1], payee = _members[3 * unit + 2];
        Pubkey proposal = Key(10, ((long)block << 24) | (uint)unit);
        Instruction[] payout = [SystemInstruction.Transfer(vault, payee, 1_000)];
        return
        [
            Unsigned(proposer,
                MultisigInstruction.CreateProposalAccount(proposer, proposal, _rent.MinimumBalance((ulong)MultisigInstruction.ProposalLength(payout)), payout),
                MultisigInstruction.Propose(multisig, proposal, proposer, payout)),
            Unsigned(proposer, MultisigInstruction.Approve(multisig, proposal, proposer)),
            Unsigned(second, MultisigInstruction.Approve(multisig, proposal, second)),
            Unsigned(proposer, MultisigInstruction.Execute(multisig, proposal, payout)),
        ];
    }

    private Pubkey StakeKey(int block, int unit) => Key(11, ((long)block << 24) | (uint)unit);

    private static int MintOfPair(int pair) => pair % Mints;

    private static Account System(ulong lamports) => new(lamports, Pubkey.Zero, false, null);

    /// <summary>An unsigned transaction (zero signatures, a zero blockhash: <see cref="ProgramBlock.Refresh"/> fills both).</summary>
    private static byte[] Unsigned(Pubkey payer, params Instruction[] instructions)
    {
        TransactionBuilder builder = new(payer, default);
        foreach (Instruction instruction in instructions) builder.Add(instruction);
        (_, byte required, _, _) = builder.CompileKeys();
        byte[] message = builder.BuildMessage();
        byte[] tx = new byte[ShortVec.EncodedLength(required) + required * Signature.Size + message.Length];
        int at = ShortVec.Write(tx, required);
        message.CopyTo(tx.AsSpan(at + required * Signature.Size));
        return tx;
    }

    private Pubkey[] Keys(byte kind, int count)
    {
        var keys = new Pubkey[count];
        for (int i = 0; i < count; i++) keys[i] = Key(kind, i);
        return keys;
    }

    private Pubkey Key(byte kind, long index)
    {
        Span<byte> bytes = stackalloc byte[17];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _seed);
        bytes[8] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(bytes[9..], index);
        return new Pubkey(Hash.Compute(bytes).Span);
    }
}

/// <summary>A block of <see cref="ProgramWorkload"/> transactions in one buffer, run in a slot after <see cref="Refresh"/>.</summary>
public sealed class ProgramBlock
{
    private ProgramBlock(byte[] buffer, VerifiedTransaction[] transactions)
    {
        Buffer = buffer;
        Transactions = transactions;
    }

    public byte[] Buffer { get; }

    public VerifiedTransaction[] Transactions { get; }

    public int Count => Transactions.Length;

    /// <summary>Copies <paramref name="transactions"/> into one buffer and parses each (throws if one is malformed: a bug of the generator).</summary>
    public static ProgramBlock Pack(List<byte[]> transactions)
    {
        int length = 0;
        foreach (byte[] tx in transactions) length += tx.Length;
        byte[] buffer = new byte[length];
        var parsed = new VerifiedTransaction[transactions.Count];
        int offset = 0;
        for (int i = 0; i < transactions.Count; i++)
        {
            transactions[i].CopyTo(buffer, offset);
            DecodeResult result = VerifiedTransaction.TryParse(buffer, offset, out parsed[i]);
            if (!result.IsOk) ThrowHelper.ThrowInvalidOperation($"workload transaction {i} does not parse: {result.Status} at {result.Offset}");
            offset += transactions[i].Length;
        }
        return new ProgramBlock(buffer, parsed);
    }

    /// <summary>Points every transaction at <paramref name="blockhash"/> and stamps a first signature unique to (<paramref name="nonce"/>, index).</summary>
    public void Refresh(in Hash blockhash, ulong nonce)
    {
        for (int i = 0; i < Transactions.Length; i++)
        {
            VerifiedTransaction tx = Transactions[i];
            Span<byte> bytes = Buffer.AsSpan(tx.Offset, tx.Layout.Length);
            blockhash.CopyTo(bytes.Slice(tx.Layout.BlockhashOffset, Hash.Size));
            Span<byte> signature = bytes.Slice(tx.Layout.SignaturesOffset, Signature.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(signature, nonce);
            BinaryPrimitives.WriteInt32LittleEndian(signature[8..], i);
            BinaryPrimitives.WriteUInt64LittleEndian(signature[12..], nonce * 0x9E3779B97F4A7C15UL ^ (ulong)i);
        }
    }
}
