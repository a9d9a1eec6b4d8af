using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Exec.Programs;

namespace Fast.Fuzz.Targets;

/// <summary>
/// The built-in programs' instruction decoders (<see cref="TokenInstructionData.TryDecode"/>,
/// <see cref="MultisigInstructionData.TryDecode"/> with its instruction list,
/// <see cref="StakeInstructionData.TryDecode"/> with its evidence chunks), re-encoded from the
/// decoded fields. The first input byte picks the program (0 token, 1 multisig, 2 stake; anything
/// else is rejected as an invalid value), the rest is the instruction data as a transaction carries it.
/// </summary>
public readonly struct ProgramInstructionTarget : IFuzzTarget
{
    private const byte Token = 0;
    private const byte Multisig = 1;
    private const byte Stake = 2;

    public string Name => "program-instruction";

    /// <summary>Past the largest instruction a 1,232-byte transaction can carry.</summary>
    public int MaxInputLength => 1 + 1_300;

    public DecodeStatus Check(ReadOnlySpan<byte> input, Span<byte> scratch, out bool canonical)
    {
        canonical = false;
        if (input.IsEmpty) return DecodeStatus.Truncated;
        ReadOnlySpan<byte> data = input[1..];
        int length;
        switch (input[0])
        {
            case Token:
                DecodeResult token = TokenInstructionData.TryDecode(data, out TokenInstructionData tokenInstruction);
                if (!token.IsOk) return token.Status;
                length = tokenInstruction.Write(scratch[1..]);
                break;
            case Multisig:
                DecodeResult multisig = MultisigInstructionData.TryDecode(data, out MultisigInstructionData multisigInstruction);
                if (!multisig.IsOk) return multisig.Status;
                length = multisigInstruction.Write(scratch[1..]);
                // Touch what execution reads, so an accessor that trips on an accepted input is a crash here.
                for (int i = 0; i < multisigInstruction.SignerCount; i++) _ = multisigInstruction.Signers.Slice(i * Pubkey.Size, Pubkey.Size)[0];
                break;
            case Stake:
                DecodeResult stake = StakeInstructionData.TryDecode(data, out StakeInstructionData stakeInstruction);
                if (!stake.IsOk) return stake.Status;
                length = stakeInstruction.Write(scratch[1..]);
                break;
            default:
                return DecodeStatus.InvalidValue;
        }
        scratch[0] = input[0];
        canonical = length >= 0 && scratch[..(1 + length)].SequenceEqual(input);
        return DecodeStatus.Ok;
    }

    public IReadOnlyList<FuzzSeed> CreateSeeds() => Seeds.Value;

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    private static List<FuzzSeed> Build()
    {
        Random random = new(13);
        Pubkey Key()
        {
            byte[] bytes = new byte[Pubkey.Size];
            random.NextBytes(bytes);
            return new Pubkey(bytes);
        }
        List<FuzzSeed> seeds =
        [
            Seed(Token, TokenInstruction.InitializeMint(Key(), Key(), 6, 1_000_000, Key()).Data),
            Seed(Token, TokenInstruction.InitializeMint(Key(), Key(), 0, ulong.MaxValue).Data),
            Seed(Token, TokenInstruction.InitializeAccount(Key(), Key(), Key()).Data),
            Seed(Token, TokenInstruction.Transfer(Key(), Key(), Key(), 12_345).Data),
            Seed(Token, TokenInstruction.Close(Key(), Key(), Key()).Data),
            Seed(Multisig, MultisigInstruction.Approve(Key(), Key(), Key()).Data),
            Seed(Stake, StakeInstruction.Initialize(Key(), Key()).Data),
            Seed(Stake, StakeInstruction.Delegate(Key(), Key(), Key()).Data),
            Seed(Stake, StakeInstruction.Withdraw(Key(), Key(), Key(), 77_000).Data),
            Seed(Stake, StakeInstruction.ReportEquivocation(Key(), Key()).Data),
        ];
        byte[] chunk = new byte[40];
        random.NextBytes(chunk);
        seeds.Add(new FuzzSeed([Stake, .. StakeInstruction.WriteEvidence(Key(), Key(), 2_400, chunk).Data], [1 + 3])); // the chunk length (u16)
        Pubkey[] members = [Key(), Key(), Key()];
        byte[] create = MultisigInstruction.Create(Key(), 2, members, 100).Data;
        seeds.Add(new FuzzSeed([Multisig, .. create], [1 + 2])); // signer_count
        Instruction[] inner =
        [
            SystemInstruction.Transfer(Key(), Key(), 5),
            TokenInstruction.Transfer(Key(), Key(), Key(), 9),
            new Instruction(Key(), [], [1, 2, 3]),
        ];
        byte[] propose = MultisigInstruction.Propose(Key(), Key(), Key(), inner).Data;
        List<int> fields = [1 + 1]; // instruction_count
        int offset = 2; // past the kind and the count, within the instruction data
        foreach (Instruction instruction in inner)
        {
            fields.Add(1 + offset + Pubkey.Size); // account_count
            offset += Pubkey.Size + 1 + instruction.Accounts.Length * InnerInstructionList.AccountMetaSize;
            fields.Add(1 + offset); // data_length (u16)
            offset += 2 + instruction.Data.Length;
        }
        seeds.Add(new FuzzSeed([Multisig, .. propose], [.. fields]));
        return seeds;
    }

    private static FuzzSeed Seed(byte program, byte[] data) => new([program, .. data], []);
}
