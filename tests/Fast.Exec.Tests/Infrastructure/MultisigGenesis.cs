using Fast.Core.Primitives;
using Fast.Exec.Programs;
using Fast.Storage.Accounts;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>
/// Multisig accounts written straight into a test genesis (no propose transactions needed): a
/// 2-of-3 multisig over three signers, and an active proposal carrying one inner instruction.
/// Shared by the scheduler properties that mix every program.
/// </summary>
internal static class MultisigGenesis
{
    /// <summary>A 2-of-3 multisig of <paramref name="signers"/> (the first three), proposals expiring after 1,000 slots, with its vault.</summary>
    public static Account TwoOfThree(Pubkey[] signers, in Pubkey vault, byte vaultBump)
    {
        byte[] data = new byte[MultisigView.Length];
        byte[] keys = new byte[3 * Pubkey.Size];
        for (int i = 0; i < 3; i++) signers[i].CopyTo(keys.AsSpan(i * Pubkey.Size, Pubkey.Size));
        MultisigView.Write(data, 2, keys, 1_000, vault, vaultBump);
        return new Account(10_000_000, MultisigProgram.Id, false, data);
    }

    /// <summary>An active proposal of <paramref name="multisig"/> by <paramref name="proposer"/> that runs <paramref name="instruction"/>, expiring at slot 1,000.</summary>
    public static Account Proposal(in Pubkey multisig, in Pubkey proposer, Instruction instruction)
    {
        byte[] list = InnerInstructionList.Encode([instruction]);
        byte[] data = new byte[ProposalHeader.AccountLength(list.Length)];
        new ProposalHeader { Status = ProposalStatus.Active, Multisig = multisig, Proposer = proposer, ExpiresAtSlot = 1_000, InstructionsLength = (uint)list.Length }.Write(data);
        list.CopyTo(data, ProposalHeader.Length);
        return new Account(10_000_000, MultisigProgram.Id, false, data);
    }
}
