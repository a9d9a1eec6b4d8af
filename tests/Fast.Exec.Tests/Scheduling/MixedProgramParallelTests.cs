using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Scheduling;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Scheduling;

/// <summary>
/// Rule 5 (determinism) for blocks mixing every program: random blocks of token mint/transfer/burn,
/// multisig approvals and executes (whose inner instructions move the vault's lamports and tokens),
/// and system transfers, over a handful of shared accounts (so most transactions conflict and many
/// fail), give the same results, balances and bank hash in parallel as serially.
/// </summary>
public sealed class MixedProgramParallelTests : IDisposable
{
    private const int Owners = 5;
    private const int Proposals = 4;

    private static readonly Pubkey Mint = TestChain.Key(700);
    private static readonly Pubkey MintAuthority = TestChain.Key(701);
    private static readonly Pubkey Multisig = TestChain.Key(702);
    private static readonly Pubkey Vault = MultisigVault.Derive(Multisig, out VaultBump);
    private static readonly byte VaultBump;
    private static readonly Pubkey VaultTokens = TestChain.Key(703);
    private static readonly Pubkey[] OwnerKeys = [.. Enumerable.Range(0, Owners).Select(i => TestChain.Key(710 + i))];
    private static readonly Pubkey[] TokenAccounts = [.. Enumerable.Range(0, Owners).Select(i => TestChain.Key(720 + i))];
    private static readonly Pubkey[] ProposalKeys = [.. Enumerable.Range(0, Proposals).Select(i => TestChain.Key(730 + i))];

    private readonly TestChain _chain = new();
    private readonly SealevelScheduler[] _schedulers =
    [
        new(new SchedulerOptions { Workers = 2, BatchSize = 4, Window = 16 }),
        new(new SchedulerOptions { Workers = 3, BatchSize = 1, Window = 3 }),
        new(new SchedulerOptions { Workers = 4, BatchSize = 8, Window = 64, MaxBatchesInFlight = 3 }),
    ];

    /// <summary>Proposal i pays out of the vault: even ones lamports to an owner, odd ones tokens to an owner's token account.</summary>
    private static Instruction ProposalInstruction(int i) => i % 2 == 0
        ? SystemInstruction.Transfer(Vault, OwnerKeys[i % Owners], 2_000_000)
        : TokenInstruction.Transfer(VaultTokens, TokenAccounts[i % Owners], Vault, 50);

    private static GenesisConfig Genesis()
    {
        const ulong funded = 1_000_000_000_000;
        List<(Pubkey, Account)> accounts = [(MintAuthority, new Account(funded, Pubkey.Zero, false, null))];
        byte[] mint = new byte[MintState.Length];
        new MintState { Decimals = 2, MintAuthority = MintAuthority, MaxSupply = 100_000, MintedTotal = 5_000 }.Write(mint);
        accounts.Add((Mint, new Account(10_000_000, TokenProgram.Id, false, mint)));
        for (int i = 0; i < Owners; i++)
        {
            accounts.Add((OwnerKeys[i], new Account(funded, Pubkey.Zero, false, null)));
            byte[] tokens = new byte[TokenAccountState.Length];
            new TokenAccountState { Mint = Mint, Owner = OwnerKeys[i], Amount = 800 }.Write(tokens);
            accounts.Add((TokenAccounts[i], new Account(10_000_000, TokenProgram.Id, false, tokens)));
        }
        byte[] vaultTokens = new byte[TokenAccountState.Length];
        new TokenAccountState { Mint = Mint, Owner = Vault, Amount = 1_000 }.Write(vaultTokens);
        accounts.Add((VaultTokens, new Account(10_000_000, TokenProgram.Id, false, vaultTokens)));
        accounts.Add((Vault, new Account(5_000_000, Pubkey.Zero, false, null)));

        accounts.Add((Multisig, MultisigGenesis.TwoOfThree(OwnerKeys, Vault, VaultBump)));
        for (int p = 0; p < Proposals; p++) accounts.Add((ProposalKeys[p], MultisigGenesis.Proposal(Multisig, OwnerKeys[0], ProposalInstruction(p))));
        return new GenesisConfig(TestChain.GenesisHash, [.. accounts]) { Leader = MintAuthority };
    }

    private static byte[] RandomTransaction(Random random)
    {
        int a = random.Next(Owners), b = random.Next(Owners);
        Pubkey owner = OwnerKeys[a];
        switch (random.Next(7))
        {
            case 0:
            case 1:
                Pubkey signer = random.Next(8) == 0 ? OwnerKeys[b] : owner; // sometimes the wrong owner
                return TestTransactions.Build(random, signer, TestChain.GenesisHash, TokenInstruction.Transfer(TokenAccounts[a], TokenAccounts[b], signer, (ulong)random.Next(0, 400)));
            case 2:
                return TestTransactions.Build(random, MintAuthority, TestChain.GenesisHash, TokenInstruction.MintTo(Mint, TokenAccounts[a], MintAuthority, (ulong)random.Next(0, 30_000)));
            case 3:
                return TestTransactions.Build(random, owner, TestChain.GenesisHash, TokenInstruction.Burn(TokenAccounts[a], Mint, owner, (ulong)random.Next(0, 300)));
            case 4:
                return TestTransactions.Build(random, owner, TestChain.GenesisHash, MultisigInstruction.Approve(Multisig, ProposalKeys[random.Next(Proposals)], owner));
            case 5:
                int p = random.Next(Proposals);
                return TestTransactions.Build(random, owner, TestChain.GenesisHash, MultisigInstruction.Execute(Multisig, ProposalKeys[p], [ProposalInstruction(p)]));
            default:
                return TestTransactions.Build(random, owner, TestChain.GenesisHash, SystemInstruction.Transfer(owner, OwnerKeys[b == a ? (a + 1) % Owners : b], (ulong)random.Next(1_000_000, 3_000_000)));
        }
    }

    [Fact]
    public void Blocks_mixing_token_multisig_and_system_instructions_execute_in_parallel_exactly_as_serially()
    {
        GenesisConfig genesis = Genesis();
        int committedOk = 0, failed = 0, executedProposals = 0;
        for (int c = 0; c < 60; c++)
        {
            Random random = new(c);
            var serial = Bank.Genesis(_chain.Accounts, genesis);
            var parallel = Bank.Genesis(_chain.Accounts, genesis);
            SealevelScheduler scheduler = _schedulers[c % _schedulers.Length];
            for (ulong slot = 1; slot <= 2; slot++)
            {
                serial = new Bank(serial, slot, MintAuthority);
                parallel = new Bank(parallel, slot, MintAuthority);
                byte[][] block = [.. Enumerable.Range(0, random.Next(20, 80)).Select(_ => RandomTransaction(random))];
                VerifiedTransaction[] verified = [.. block.Select(TestTransactions.Verified)];
                var expected = new TransactionResult[block.Length];
                for (int i = 0; i < block.Length; i++) expected[i] = serial.Process(TestTransactions.View(block[i]));
                var actual = new TransactionResult[block.Length];
                scheduler.Execute(parallel, verified, actual);
                for (int i = 0; i < block.Length; i++)
                {
                    if (expected[i] != actual[i]) Assert.Fail($"case {c} slot {slot} tx {i} ({scheduler.Workers} workers): serial {expected[i]}, parallel {actual[i]}");
                    if (expected[i].IsOk) committedOk++;
                    else failed++;
                }
                Hash last = TestChain.HashOf($"mixed case {c} slot {slot}");
                Assert.Equal(serial.Freeze(last), parallel.Freeze(last));
            }
            // Lamports are conserved across every program: fees only move to the leader.
            Assert.Equal(GenesisLamports(genesis), TotalLamports(serial));
            // The token invariant holds in the final state: balances sum to the supply.
            MintState mint = ReadMint(serial);
            ulong sum = 0;
            foreach (Pubkey account in (Pubkey[])[.. TokenAccounts, VaultTokens])
            {
                Assert.True(TokenAccountState.TryRead(serial.GetAccount(account).Data, out TokenAccountState state));
                sum += state.Amount;
            }
            Assert.Equal(mint.Supply, sum);
            Assert.True(mint.MintedTotal <= mint.MaxSupply);
            foreach (Pubkey proposal in ProposalKeys)
            {
                Assert.True(ProposalHeader.TryRead(serial.GetAccount(proposal).Data, out ProposalHeader header));
                if (header.Status == ProposalStatus.Executed) executedProposals++;
            }
        }
        // Both outcomes are well represented (the generator is not degenerate).
        Assert.True(committedOk > 1_000 && failed > 300 && executedProposals > 20, $"{committedOk} ok, {failed} failed, {executedProposals} proposals executed");
    }

    private static UInt128 GenesisLamports(GenesisConfig genesis)
    {
        UInt128 total = 0;
        foreach ((Pubkey _, Account account) in genesis.Accounts) total += account.Lamports;
        return total;
    }

    private static UInt128 TotalLamports(Bank bank)
    {
        UInt128 total = 0;
        foreach (Account account in bank.ReadAllAccounts().Values) total += account.Lamports;
        return total;
    }

    private static MintState ReadMint(Bank bank)
    {
        Assert.True(MintState.TryRead(bank.GetAccount(Mint).Data, out MintState mint));
        return mint;
    }

    public void Dispose()
    {
        foreach (SealevelScheduler scheduler in _schedulers) scheduler.Dispose();
        _chain.Dispose();
    }
}
