using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>
/// Hostile transactions against real program state: random (often mutated) token and multisig
/// instruction data over random accounts with random flags never make a program throw, and a failed
/// transaction changes nothing but its fee.
/// </summary>
public class HostileInstructionProperties
{
    private static readonly Pubkey Mint = TestChain.Key(100), Authority = TestChain.Key(101), Holder = TestChain.Key(102);
    private static readonly Pubkey Tokens = TestChain.Key(103), OtherTokens = TestChain.Key(104), Multisig = TestChain.Key(105), Proposal = TestChain.Key(106);

    private static readonly Pubkey[] Keys = [Mint, Authority, Holder, Tokens, OtherTokens, Multisig, Proposal, MultisigVault.Derive(Multisig), TestChain.Key(107), ProgramBank.Payer];

    /// <summary>Valid instructions of both programs over these accounts, to mutate (data, program, accounts).</summary>
    private static readonly Instruction[] Templates =
    [
        TokenInstruction.InitializeMint(Mint, Authority, 2, 1_000),
        TokenInstruction.InitializeAccount(Tokens, Mint, Holder),
        TokenInstruction.MintTo(Mint, Tokens, Authority, 10),
        TokenInstruction.Transfer(Tokens, OtherTokens, Holder, 3),
        TokenInstruction.Transfer(OtherTokens, Tokens, Authority, 1),
        TokenInstruction.Burn(Tokens, Mint, Holder, 1),
        TokenInstruction.Approve(Tokens, Authority, Holder, 5),
        TokenInstruction.Freeze(Tokens, Mint, Authority),
        TokenInstruction.Thaw(Tokens, Mint, Authority),
        TokenInstruction.Close(OtherTokens, Holder, Authority),
        MultisigInstruction.Create(Multisig, 1, [Holder, Authority], 10),
        MultisigInstruction.Propose(Multisig, Proposal, Holder, [SystemInstruction.Transfer(Keys[7], Holder, 1_000_000)]),
        MultisigInstruction.Approve(Multisig, Proposal, Holder),
        MultisigInstruction.Approve(Multisig, Proposal, Authority),
        MultisigInstruction.Execute(Multisig, Proposal, [SystemInstruction.Transfer(Keys[7], Holder, 1_000_000)]),
        MultisigInstruction.Cancel(Proposal, Holder),
    ];

    /// <summary>One hostile instruction: program, data, accounts with their flags.</summary>
    private readonly record struct Hostile(Pubkey Program, byte[] Data, AccountMeta[] Accounts);

    /// <summary>A template with its data bit-flipped 0–3 times, its program swapped now and then, and its accounts kept or replaced by random ones with random flags.</summary>
    private static readonly Gen<Hostile> Transactions =
        from template in Gen.Choose(0, Templates.Length - 1)
        from swapProgram in Gen.Choose(0, 9)
        from flips in Gen.ArrayOf(Gen.Choose(0, 4_095), 3)
        from mutate in Gen.Choose(0, 3)
        from randomAccounts in Gen.Elements(true, false)
        from count in Gen.Choose(0, 6)
        from picks in Gen.ArrayOf(Gen.Choose(0, Keys.Length - 1), count)
        from flags in Gen.ArrayOf(Gen.Choose(0, 3), count)
        select new Hostile(
            swapProgram == 0 ? (Templates[template].ProgramId == TokenProgram.Id ? MultisigProgram.Id : TokenProgram.Id) : Templates[template].ProgramId,
            Mutate(Templates[template].Data, flips, mutate),
            randomAccounts ? [.. picks.Select((k, i) => new AccountMeta(Keys[k], (flags[i] & 1) != 0, (flags[i] & 2) != 0))] : Templates[template].Accounts);

    private static byte[] Mutate(byte[] template, int[] flips, int mutations)
    {
        byte[] data = [.. template];
        for (int i = 0; i < mutations && i < flips.Length && data.Length > 0; i++) data[flips[i] % data.Length] ^= (byte)(1 + (flips[i] >> 4) % 255);
        return data;
    }

    [Fact]
    public void Random_instructions_over_real_program_accounts_never_throw_and_a_failure_changes_only_the_fee()
    {
        using ProgramBank bank = new();
        bank.CreateMint(Mint, Authority, 1_000_000, Authority);
        bank.CreateTokenAccount(Tokens, Mint, Holder);
        bank.CreateTokenAccount(OtherTokens, Mint, Authority);
        bank.Ok(TokenInstruction.MintTo(Mint, Tokens, Authority, 500));
        Pubkey vault = bank.CreateMultisig(Multisig, 1, [Holder, Authority], 1_000);
        bank.Ok(SystemInstruction.Transfer(ProgramBank.Payer, vault, 20_000_000));
        Assert.True(bank.Propose(Multisig, Proposal, Holder, SystemInstruction.Transfer(vault, Holder, 1_000_000)).IsOk);
        int ok = 0, failed = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1_500).WithQuietOnSuccess(true), Prop.ForAll(Transactions.ToArbitrary(), hostile =>
        {
            Instruction instruction = new(hostile.Program, hostile.Accounts, hostile.Data);
            Storage.Accounts.Account[] before = [.. Keys.Select(bank.Account)];
            ulong payer = bank.Lamports(ProgramBank.Payer);
            TransactionResult result = bank.Run(instruction); // must not throw
            if (result.IsOk)
            {
                ok++;
                return true;
            }
            failed++;
            for (int i = 0; i < Keys.Length; i++)
            {
                if (Keys[i] == ProgramBank.Payer) continue;
                if (bank.Account(Keys[i]) != before[i]) return false;
            }
            return result.IsCommitted && bank.Lamports(ProgramBank.Payer) == payer - result.Fee;
        }));
        Assert.True(failed > 500 && ok > 20, $"{ok} succeeded, {failed} failed");
    }
}
