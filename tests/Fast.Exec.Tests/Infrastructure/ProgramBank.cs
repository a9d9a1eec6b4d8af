using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>
/// A bank chain for program tests: a funded fee payer (key 0), transactions run serially with
/// unchecked random signatures, slots advanced on demand (for expiry), and readers of the token and
/// multisig accounts' state. Owns its temporary accounts store.
/// </summary>
internal sealed class ProgramBank : IDisposable
{
    public const ulong PayerLamports = 1_000_000_000_000;

    private readonly TestChain _chain = new("fast-programs");
    private readonly Random _random;

    public ProgramBank(int seed = 1, params (Pubkey Key, ulong Lamports)[] funded)
    {
        _random = new Random(seed);
        List<(Pubkey, Account)> accounts = [(Payer, new Account(PayerLamports, Pubkey.Zero, false, null))];
        foreach ((Pubkey key, ulong lamports) in funded) accounts.Add((key, new Account(lamports, Pubkey.Zero, false, null)));
        Bank = new Bank(Bank.Genesis(_chain.Accounts, new GenesisConfig(TestChain.GenesisHash, [.. accounts])), 1, Leader);
    }

    public static Pubkey Payer => TestChain.Key(0);

    public static Pubkey Leader => TestChain.Key(999);

    public Bank Bank { get; private set; }

    public ulong Slot => Bank.Slot;

    public TransactionResult Run(params Instruction[] instructions) => RunAs(Payer, instructions);

    public TransactionResult RunAs(Pubkey payer, params Instruction[] instructions) =>
        Bank.Process(TestTransactions.View(TestTransactions.Build(_random, payer, TestChain.GenesisHash, instructions)));

    /// <summary>Runs and asserts success.</summary>
    public void Ok(params Instruction[] instructions)
    {
        TransactionResult result = Run(instructions);
        if (!result.IsOk) throw new Xunit.Sdk.XunitException($"expected success, got {result}");
    }

    /// <summary>Freezes the bank and continues on a child <paramref name="slots"/> slots later (skipped slots in between).</summary>
    public void Advance(ulong slots)
    {
        Bank.Freeze(TestChain.HashOf("slot " + Bank.Slot));
        Bank = new Bank(Bank, Bank.Slot + slots, Leader);
    }

    public ulong Rent(int dataLength) => Bank.Rent.MinimumBalance((ulong)dataLength);

    public Account Account(Pubkey key) => Bank.GetAccount(key);

    public ulong Lamports(Pubkey key) => Bank.GetBalance(key);

    public MintState Mint(Pubkey key)
    {
        if (!MintState.TryRead(Bank.GetAccount(key).Data, out MintState mint)) throw new Xunit.Sdk.XunitException($"{key} is not a mint");
        return mint;
    }

    public TokenAccountState Token(Pubkey key)
    {
        if (!TokenAccountState.TryRead(Bank.GetAccount(key).Data, out TokenAccountState account)) throw new Xunit.Sdk.XunitException($"{key} is not a token account");
        return account;
    }

    public ProposalHeader Proposal(Pubkey key)
    {
        if (!ProposalHeader.TryRead(Bank.GetAccount(key).Data, out ProposalHeader header)) throw new Xunit.Sdk.XunitException($"{key} is not a proposal");
        return header;
    }

    /// <summary>Creates and initializes a mint (paid by the payer).</summary>
    public void CreateMint(Pubkey mint, Pubkey authority, ulong maxSupply, Pubkey? freezeAuthority = null, byte decimals = 6) =>
        Ok(TokenInstruction.CreateMintAccount(Payer, mint, Rent(MintState.Length)), TokenInstruction.InitializeMint(mint, authority, decimals, maxSupply, freezeAuthority));

    /// <summary>Creates and initializes a token account of (<paramref name="mint"/>, <paramref name="owner"/>).</summary>
    public void CreateTokenAccount(Pubkey account, Pubkey mint, Pubkey owner) =>
        Ok(TokenInstruction.CreateTokenAccount(Payer, account, Rent(TokenAccountState.Length)), TokenInstruction.InitializeAccount(account, mint, owner));

    /// <summary>Creates an M-of-N multisig; returns its vault.</summary>
    public Pubkey CreateMultisig(Pubkey multisig, byte threshold, Pubkey[] signers, ulong lifetimeSlots)
    {
        Ok(MultisigInstruction.CreateMultisigAccount(Payer, multisig, Rent(MultisigView.Length)), MultisigInstruction.Create(multisig, threshold, signers, lifetimeSlots));
        return MultisigVault.Derive(multisig);
    }

    /// <summary>Creates the proposal account and proposes <paramref name="instructions"/> from <paramref name="proposer"/>.</summary>
    public TransactionResult Propose(Pubkey multisig, Pubkey proposal, Pubkey proposer, params Instruction[] instructions) =>
        Run(MultisigInstruction.CreateProposalAccount(Payer, proposal, Rent(MultisigInstruction.ProposalLength(instructions)), instructions),
            MultisigInstruction.Propose(multisig, proposal, proposer, instructions));

    public void Dispose() => _chain.Dispose();
}
