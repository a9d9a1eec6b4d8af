using System.Buffers.Binary;
using System.Numerics;
using Fast.Core.Primitives;
using Fast.Crypto;

namespace Fast.Exec.Programs;

/// <summary>
/// A multisig account, read in place: N member keys, the threshold M, how long its proposals live,
/// and its vault. Fixed layout, little-endian (docs/programs.md):
/// <code>
/// 0  u8 kind = 1    1 u8 threshold M    2 u8 signer_count N    3 u8 vault_bump
/// 4  u64 proposal_lifetime_slots        12 vault(32)           44 signers (16 × 32; unused entries zero)      (556 bytes)
/// </code>
/// </summary>
public readonly ref struct MultisigView
{
    public const int Length = 44 + MaxSigners * Pubkey.Size;
    public const int MaxSigners = 16;
    public const byte Kind = 1;

    private readonly ReadOnlySpan<byte> _data;

    private MultisigView(ReadOnlySpan<byte> data) => _data = data;

    public byte Threshold => _data[1];

    public int SignerCount => _data[2];

    public byte VaultBump => _data[3];

    public ulong ProposalLifetimeSlots => BinaryPrimitives.ReadUInt64LittleEndian(_data[4..]);

    public Pubkey Vault => new(_data.Slice(12, Pubkey.Size));

    public ReadOnlySpan<byte> Signer(int index) => _data.Slice(44 + index * Pubkey.Size, Pubkey.Size);

    /// <summary>The member index of <paramref name="key"/>, or −1.</summary>
    public int MemberIndex(in Pubkey key)
    {
        for (int i = 0; i < SignerCount; i++)
        {
            if (key.Span.SequenceEqual(Signer(i))) return i;
        }
        return -1;
    }

    /// <summary>Reads an initialized multisig; false when <paramref name="data"/> is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out MultisigView multisig)
    {
        multisig = default;
        if (data.Length != Length || data[0] != Kind) return false;
        int n = data[2];
        if (n is 0 or > MaxSigners || data[1] == 0 || data[1] > n) return false;
        multisig = new MultisigView(data);
        return true;
    }

    /// <summary>Writes an initialized multisig (the caller checked the configuration).</summary>
    public static void Write(Span<byte> data, byte threshold, ReadOnlySpan<byte> signers, ulong lifetimeSlots, in Pubkey vault, byte bump)
    {
        data.Clear();
        data[0] = Kind;
        data[1] = threshold;
        data[2] = (byte)(signers.Length / Pubkey.Size);
        data[3] = bump;
        BinaryPrimitives.WriteUInt64LittleEndian(data[4..], lifetimeSlots);
        vault.CopyTo(data.Slice(12, Pubkey.Size));
        signers.CopyTo(data[44..]);
    }
}

/// <summary>Where a proposal is in its life.</summary>
public enum ProposalStatus : byte
{
    Active = 1,
    Executed = 2,
    Cancelled = 3,
}

/// <summary>
/// The fixed head of a proposal account, followed by its instruction list
/// (<see cref="InnerInstructionList"/>). Layout, little-endian (docs/programs.md):
/// <code>
/// 0  u8 kind = 2    1 u8 status (1 active, 2 executed, 3 cancelled)    2 u8 approval_count    3 u8 reserved (0)
/// 4  u16 approvals (bit i: member i approved)    6 u16 reserved (0)
/// 8  multisig(32)   40 proposer(32)   72 u64 created_slot   80 u64 expires_at_slot   88 u32 instructions_length
/// 92 instructions (instructions_length bytes; the account is exactly 92 + instructions_length bytes)
/// </code>
/// A proposal expires at <c>expires_at_slot</c> (= created_slot + the multisig's lifetime, saturating):
/// from that slot on it can be neither approved nor executed.
/// </summary>
public struct ProposalHeader
{
    public const int Length = 92;
    public const byte Kind = 2;

    public ProposalStatus Status;
    public byte ApprovalCount;
    public ushort Approvals;
    public Pubkey Multisig;
    public Pubkey Proposer;
    public ulong CreatedSlot;
    public ulong ExpiresAtSlot;
    public uint InstructionsLength;

    /// <summary>The account length of a proposal whose instruction list is <paramref name="instructionsLength"/> bytes.</summary>
    public static int AccountLength(int instructionsLength) => Length + instructionsLength;

    /// <summary>Reads an initialized proposal; false when <paramref name="data"/> is not one (bad kind, status, counts or length).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ProposalHeader header)
    {
        header = default;
        if (data.Length < Length || data[0] != Kind || data[1] is < (byte)ProposalStatus.Active or > (byte)ProposalStatus.Cancelled) return false;
        header.Status = (ProposalStatus)data[1];
        header.ApprovalCount = data[2];
        header.Approvals = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        header.Multisig = new Pubkey(data.Slice(8, Pubkey.Size));
        header.Proposer = new Pubkey(data.Slice(40, Pubkey.Size));
        header.CreatedSlot = BinaryPrimitives.ReadUInt64LittleEndian(data[72..]);
        header.ExpiresAtSlot = BinaryPrimitives.ReadUInt64LittleEndian(data[80..]);
        header.InstructionsLength = BinaryPrimitives.ReadUInt32LittleEndian(data[88..]);
        return header.InstructionsLength == (uint)(data.Length - Length) && BitOperations.PopCount(header.Approvals) == header.ApprovalCount;
    }

    public readonly void Write(Span<byte> data)
    {
        data[0] = Kind;
        data[1] = (byte)Status;
        data[2] = ApprovalCount;
        data[3] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(data[4..], Approvals);
        BinaryPrimitives.WriteUInt16LittleEndian(data[6..], 0);
        Multisig.CopyTo(data.Slice(8, Pubkey.Size));
        Proposer.CopyTo(data.Slice(40, Pubkey.Size));
        BinaryPrimitives.WriteUInt64LittleEndian(data[72..], CreatedSlot);
        BinaryPrimitives.WriteUInt64LittleEndian(data[80..], ExpiresAtSlot);
        BinaryPrimitives.WriteUInt32LittleEndian(data[88..], InstructionsLength);
    }
}

/// <summary>
/// The vault of a multisig: a program-derived address nobody can sign for. It is
/// <c>sha256("fast/multisig/vault" ‖ multisig program id ‖ multisig ‖ bump)</c> for the largest bump
/// in 255..0 whose hash is <b>not</b> the x coordinate of a secp256k1 point (x ≥ p, or x³ + 7 not a
/// square mod p — about half of all hashes). Account keys are BIP-340 x-only public keys; a verifier
/// first lifts the key to the curve point with that x, and for these 32 bytes no such point exists,
/// so there is no private key and every signature "by" the vault is rejected (our
/// <see cref="Schnorr.Verify"/> fails at parsing the key). The only way the vault ever acts as a
/// signer is the multisig program's Execute, after M approvals. Solana makes its PDAs off the
/// ed25519 curve for the same reason.
/// </summary>
public static class MultisigVault
{
    private static ReadOnlySpan<byte> Domain => "fast/multisig/vault"u8;

    /// <summary>The vault of <paramref name="multisig"/> and its bump.</summary>
    public static Pubkey Derive(in Pubkey multisig, out byte bump)
    {
        Span<byte> preimage = stackalloc byte[Domain.Length + 2 * Pubkey.Size + 1];
        Domain.CopyTo(preimage);
        MultisigProgram.Id.CopyTo(preimage.Slice(Domain.Length, Pubkey.Size));
        multisig.CopyTo(preimage.Slice(Domain.Length + Pubkey.Size, Pubkey.Size));
        for (int b = 255; b >= 0; b--)
        {
            preimage[^1] = (byte)b;
            var candidate = Hash.Compute(preimage);
            if (!Schnorr.IsValidPublicKey(candidate.Span))
            {
                bump = (byte)b;
                return new Pubkey(candidate.Span);
            }
        }
        bump = 0;
        ThrowHelper.ThrowInvalidOperation("no off-curve vault address in 256 bumps (probability 2^-256)");
        return default;
    }

    /// <summary>The vault of <paramref name="multisig"/>.</summary>
    public static Pubkey Derive(in Pubkey multisig) => Derive(multisig, out _);
}
