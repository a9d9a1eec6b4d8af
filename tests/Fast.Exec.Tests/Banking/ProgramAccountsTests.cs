using Fast.Core.Primitives;
using Fast.Exec.Banking;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using Fast.Storage.Accounts;
using Xunit;

namespace Fast.Exec.Tests.Banking;

/// <summary>
/// <see cref="Bank.GetProgramAccounts"/>: the accounts a program owns as a bank sees them, equal to a
/// full scan filtered by owner, on every fork, across root flushes (inline and in the background) and
/// after a restart.
/// </summary>
public class ProgramAccountsTests
{
    private static readonly Pubkey Leader = TestChain.Key(999);
    private static readonly Pubkey Payer = TestChain.Key(0);
    private static readonly Pubkey Mint = TestChain.Key(5000);

    private static List<KeyValuePair<Pubkey, Account>> Owned(Bank bank, Pubkey owner)
    {
        List<KeyValuePair<Pubkey, Account>> accounts = [];
        bank.GetProgramAccounts(owner, accounts);
        return accounts;
    }

    private static List<KeyValuePair<Pubkey, Account>> Scanned(Bank bank, Pubkey owner) =>
        [.. bank.ReadAllAccounts().Where(a => a.Value.Owner == owner).OrderBy(a => a.Key)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_banks_program_accounts_equal_a_filtered_scan_on_every_fork_through_roots_and_a_restart(bool background)
    {
        using TestChain chain = new("fast-owner-index");
        Random random = new(background ? 5 : 6);
        List<Pubkey> live = [];
        int next = 1000;
        List<KeyValuePair<Pubkey, Account>> atRoot;
        ulong rootSlot;
        GenesisConfig genesis = TestChain.Genesis(3, 1_000_000_000_000, Leader);
        using (var forks = BankForks.Open(chain.Accounts, genesis, new BankForksOptions { CheckpointIntervalSlots = 4, FlushInBackground = background, MaxPendingRootFlushes = 2, OverlayGraceRoots = 2 }))
        {
            ulong rent = forks.Root.Rent.MinimumBalance(TokenAccountState.Length);
            Bank first = forks.NewBank(1, 0, Leader);
            Run(first, random, forks.Root.LastBlockhash,
                TokenInstruction.CreateMintAccount(Payer, Mint, first.Rent.MinimumBalance(MintState.Length)),
                TokenInstruction.InitializeMint(Mint, Payer, 0, 1_000_000));
            first.Freeze(TestChain.HashOf("slot 1"));
            for (ulong slot = 2; slot <= 40; slot++)
            {
                Bank parent = forks[slot - 1]!;
                Bank bank = forks.NewBank(slot, slot - 1, Leader);
                for (int t = 0; t < 12; t++)
                {
                    if (live.Count > 0 && random.Next(3) == 0)
                    {
                        int at = random.Next(live.Count);
                        Run(bank, random, parent.LastBlockhash, TokenInstruction.Close(live[at], Payer, Payer));
                        live.RemoveAt(at);
                    }
                    else
                    {
                        Pubkey account = TestChain.Key(next++);
                        Run(bank, random, parent.LastBlockhash, TokenInstruction.CreateTokenAccount(Payer, account, rent), TokenInstruction.InitializeAccount(account, Mint, Payer));
                        live.Add(account);
                    }
                }
                if (slot % 5 == 0)
                {
                    // A losing sibling that creates an account the winning line never has.
                    Bank sibling = forks.NewBank(slot + 100, slot - 1, Leader);
                    Pubkey lost = TestChain.Key(next++);
                    Run(sibling, random, parent.LastBlockhash, TokenInstruction.CreateTokenAccount(Payer, lost, rent), TokenInstruction.InitializeAccount(lost, Mint, Payer));
                    Assert.Equal(Scanned(sibling, TokenProgram.Id), Owned(sibling, TokenProgram.Id));
                    Assert.Contains(Owned(sibling, TokenProgram.Id), a => a.Key == lost);
                    Assert.DoesNotContain(Owned(bank, TokenProgram.Id), a => a.Key == lost);
                    sibling.Freeze(TestChain.HashOf("sibling " + slot));
                }
                Assert.Equal(Scanned(bank, TokenProgram.Id), Owned(bank, TokenProgram.Id));
                Assert.Equal(live.Count + 1, Owned(bank, TokenProgram.Id).Count); // the mint too
                bank.Freeze(TestChain.HashOf("slot " + slot));
                if (slot > 3) forks.SetRoot(slot - 3);
            }
            forks.SetRoot(40);
            forks.WaitForRootFlush();
            atRoot = Owned(forks.Root, TokenProgram.Id);
            Assert.Equal(live.Count + 1, atRoot.Count);
            chain.Accounts.Checkpoint();
            rootSlot = forks.Root.Slot;
        }
        chain.Accounts.Dispose(); // the restart
        using var recovered = AccountsDb.Open(TestChain.StoreOptions(chain.Accounts.Options.Directory));
        using var again = BankForks.Open(recovered, genesis);
        Assert.Equal(rootSlot, again.Root.Slot);
        Assert.Equal(atRoot, Owned(again.Root, TokenProgram.Id));
    }

    private static void Run(Bank bank, Random random, Hash blockhash, params Instruction[] instructions)
    {
        TransactionResult result = bank.Process(TestTransactions.View(TestTransactions.Build(random, Payer, blockhash, instructions)));
        Assert.True(result.IsOk, result.ToString());
    }
}
