using System.Buffers.Binary;
using Fast.Core.Codec;
using Fast.Exec.Programs;
using Fast.Exec.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Fast.Exec.Tests.Programs;

/// <summary>The token and multisig instruction decoders: exact lengths, caps checked before sizing, typed statuses with offsets, re-encoding to the same bytes.</summary>
public class ProgramCodecTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(2_000).WithQuietOnSuccess(true);

    private static DecodeResult Token(byte[] data) => TokenInstructionData.TryDecode(data, out _);

    private static DecodeResult Multisig(byte[] data) => MultisigInstructionData.TryDecode(data, out _);

    [Fact]
    public void Every_token_instruction_decodes_to_its_fields_and_re_encodes_to_its_bytes()
    {
        foreach (Instruction instruction in new[]
        {
            TokenInstruction.InitializeMint(TestChain.Key(1), TestChain.Key(2), 9, 123_456, TestChain.Key(3)),
            TokenInstruction.InitializeMint(TestChain.Key(1), TestChain.Key(2), 0, ulong.MaxValue),
            TokenInstruction.InitializeAccount(TestChain.Key(1), TestChain.Key(2), TestChain.Key(4)),
            TokenInstruction.MintTo(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3), 77),
            TokenInstruction.Transfer(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3), ulong.MaxValue),
            TokenInstruction.Burn(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3), 1),
            TokenInstruction.Approve(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3), 5),
            TokenInstruction.Revoke(TestChain.Key(1), TestChain.Key(2)),
            TokenInstruction.Freeze(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3)),
            TokenInstruction.Thaw(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3)),
            TokenInstruction.Close(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3)),
        })
        {
            Assert.True(TokenInstructionData.TryDecode(instruction.Data, out TokenInstructionData decoded).IsOk);
            Assert.Equal(instruction.Data, decoded.ToArray());
        }
        Assert.True(TokenInstructionData.TryDecode(TokenInstruction.InitializeMint(TestChain.Key(1), TestChain.Key(2), 9, 123_456, TestChain.Key(3)).Data, out TokenInstructionData mint).IsOk);
        Assert.Equal((9, 123_456UL, TestChain.Key(2), true, TestChain.Key(3)), (mint.Decimals, mint.Amount, mint.Authority, mint.HasFreezeAuthority, mint.FreezeAuthority));
    }

    [Fact]
    public void Malformed_token_instructions_report_the_status_and_offset()
    {
        byte[] mint = TokenInstruction.InitializeMint(TestChain.Key(1), TestChain.Key(2), 9, 1, null).Data;
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 0), Token([]));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), Token([10]));
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 5), Token([2, 1, 2, 3, 4]));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 1), Token([6, 0]));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 75), Token([.. mint, 0]));
        byte[] badFlag = [.. mint];
        badFlag[42] = 2;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 42), Token(badFlag));
        byte[] strayFreezeKey = [.. mint];
        strayFreezeKey[50] = 1; // a freeze key while has_freeze = 0: a second encoding of "no freeze authority"
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 43), Token(strayFreezeKey));
    }

    private static byte[] ProposeData(params Instruction[] instructions) => MultisigInstruction.Propose(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3), instructions).Data;

    [Fact]
    public void Every_multisig_instruction_re_encodes_to_its_bytes()
    {
        byte[][] all =
        [
            MultisigInstruction.Create(TestChain.Key(1), 2, [TestChain.Key(2), TestChain.Key(3), TestChain.Key(4)], 50).Data,
            ProposeData(SystemInstruction.Transfer(TestChain.Key(5), TestChain.Key(6), 7), TokenInstruction.Revoke(TestChain.Key(7), TestChain.Key(8)), new Instruction(TestChain.Key(9), [], [])),
            MultisigInstruction.Approve(TestChain.Key(1), TestChain.Key(2), TestChain.Key(3)).Data,
            MultisigInstruction.Execute(TestChain.Key(1), TestChain.Key(2), []).Data,
            MultisigInstruction.Cancel(TestChain.Key(1), TestChain.Key(2)).Data,
        ];
        byte[] scratch = new byte[2_048];
        foreach (byte[] data in all)
        {
            Assert.True(MultisigInstructionData.TryDecode(data, out MultisigInstructionData decoded).IsOk);
            int length = decoded.Write(scratch);
            Assert.Equal(data, scratch[..length]);
        }
    }

    [Fact]
    public void Multisig_counts_are_capped_before_anything_is_read_past_them()
    {
        byte[] create = new byte[MultisigInstructionData.CreateHeaderLength];
        create[2] = 17;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 2), Multisig(create));
        create[2] = 1;
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, create.Length), Multisig(create));

        byte[] propose = ProposeData(SystemInstruction.Transfer(TestChain.Key(5), TestChain.Key(6), 7));
        byte[] nine = [.. propose];
        nine[1] = 9;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 1), Multisig(nine));
        byte[] none = [.. propose];
        none[1] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 1), Multisig(none));
        const int accountCountAt = 2 + 32;
        byte[] manyAccounts = [.. propose];
        manyAccounts[accountCountAt] = 17;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, accountCountAt), Multisig(manyAccounts));
        int firstFlagsAt = accountCountAt + 1 + 32;
        byte[] badFlags = [.. propose];
        badFlags[firstFlagsAt] = 4;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, firstFlagsAt), Multisig(badFlags));
        int dataLengthAt = accountCountAt + 1 + 2 * 33;
        byte[] longData = [.. propose];
        BinaryPrimitives.WriteUInt16LittleEndian(longData.AsSpan(dataLengthAt), InnerInstructionList.MaxDataLength + 1);
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, dataLengthAt), Multisig(longData));
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, propose.Length), Multisig([.. propose, 0]));
        Assert.Equal(DecodeStatus.Truncated, Multisig(propose[..^1]).Status);
        Assert.Equal(new DecodeResult(DecodeStatus.TrailingBytes, 1), Multisig([(byte)MultisigInstructionKind.Approve, 0]));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 0), Multisig([5]));
    }

    [Fact]
    public void Random_bytes_never_make_a_program_decoder_throw_and_what_they_accept_re_encodes_to_the_same_bytes()
    {
        Gen<byte[]> bytes = Gen.Sized(size => Gen.Choose(0, Math.Max(1, size * 4)).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)));
        Gen<byte[]> tokenish = Gen.Choose(0, 10).Zip(bytes, (tag, rest) => (byte[])[(byte)tag, .. rest]);
        Gen<byte[]> mutatedPropose = Gen.Choose(0, 400).Zip(Gen.Choose(0, 255), (at, value) =>
        {
            byte[] propose = ProposeData(SystemInstruction.Transfer(TestChain.Key(5), TestChain.Key(6), 7), TokenInstruction.Revoke(TestChain.Key(7), TestChain.Key(8)));
            propose[at % propose.Length] = (byte)value;
            return propose;
        });
        byte[] scratch = new byte[16_384];
        Check.One(Quick, Prop.ForAll(Gen.OneOf(bytes, tokenish, mutatedPropose).ToArbitrary(), input =>
        {
            bool tokenOk = !TokenInstructionData.TryDecode(input, out TokenInstructionData token).IsOk || token.ToArray().AsSpan().SequenceEqual(input);
            bool multisigOk = true;
            if (MultisigInstructionData.TryDecode(input, out MultisigInstructionData multisig).IsOk)
            {
                int length = multisig.Write(scratch);
                multisigOk = length >= 0 && scratch.AsSpan(0, length).SequenceEqual(input);
            }
            return tokenOk && multisigOk;
        }));
    }
}

/// <summary>The program ids are what docs/programs.md says they are.</summary>
public class ProgramIdTests
{
    [Fact]
    public void Program_ids_are_the_sha256_of_their_documented_names()
    {
        Assert.Equal("2iDdoWD6jurKZqSkZT2HMt9vE1RrZQ6dzRBDWupgb9ZW", TokenProgram.Id.ToString());
        Assert.Equal("GZUwkwd8EyJQtqfGEgLqVWWhstuQxQwpH5fhzBkT6w34", MultisigProgram.Id.ToString());
    }
}
