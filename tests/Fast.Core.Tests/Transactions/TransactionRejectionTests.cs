using Fast.Core.Codec;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Xunit;

namespace Fast.Core.Tests.Transactions;

/// <summary>
/// Each way a transaction can be malformed, on a signed 215-byte transfer whose layout is:
/// 0 signature count | 1 signature | 65 header (65 required, 66 read-only signed, 67 read-only unsigned)
/// | 68 key count | 69 keys (payer, recipient, program) | 165 blockhash | 197 instruction count
/// | 198 program index | 199 account count | 200 account indexes | 202 data length | 203 data.
/// </summary>
public class TransactionRejectionTests
{
    private static byte[] Transfer() => TestTransactions.Transfer(Keypair.Generate(), TestTransactions.RandomKey(new Random(11)), 42, default);

    private static DecodeResult Parse(byte[] tx) => TransactionView.TryParse(tx, out _);

    [Fact]
    public void The_sample_transfer_has_the_layout_these_tests_assume()
    {
        byte[] tx = Transfer();
        Assert.Equal(215, tx.Length);
        Assert.Equal(DecodeResult.Success, Parse(tx));
        Assert.Equal(new byte[] { 1, 0, 1, 3 }, tx[65..69]);
        Assert.Equal(new byte[] { 1, 2, 2, 0, 1, 12 }, tx[197..203]);
    }

    [Fact]
    public void Decoding_a_transaction_with_an_overlong_shortvec_reports_NonCanonicalLength_at_offset_1()
    {
        byte[] tx = Transfer();
        byte[] overlong = [0x81, 0x00, .. tx[1..]];
        Assert.Equal(new DecodeResult(DecodeStatus.NonCanonicalLength, 1), Parse(overlong));
    }

    [Fact]
    public void Decoding_a_transaction_with_an_overlong_key_count_reports_NonCanonicalLength_at_offset_69()
    {
        byte[] tx = Transfer();
        byte[] overlong = [.. tx[..68], 0x83, 0x00, .. tx[69..]];
        Assert.Equal(new DecodeResult(DecodeStatus.NonCanonicalLength, 69), Parse(overlong));
    }

    [Fact]
    public void Decoding_a_transfer_cut_inside_its_signature_reports_Truncated_at_offset_1()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 1), Parse(Transfer()[..40]));
    }

    [Fact]
    public void Decoding_a_transfer_cut_inside_its_data_reports_Truncated_at_offset_203()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 203), Parse(Transfer()[..210]));
    }

    [Fact]
    public void Decoding_an_empty_buffer_reports_Truncated_at_offset_0()
    {
        Assert.Equal(new DecodeResult(DecodeStatus.Truncated, 0), Parse([]));
    }

    [Fact]
    public void Decoding_a_transaction_with_17_signatures_reports_LengthTooLarge_at_offset_0()
    {
        byte[] tx = Transfer();
        tx[0] = 17;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 0), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_with_65_account_keys_reports_LengthTooLarge_at_offset_68()
    {
        byte[] tx = Transfer();
        tx[68] = 65;
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 68), Parse(tx));
    }

    [Fact]
    public void Decoding_an_instruction_whose_data_length_exceeds_a_packet_reports_LengthTooLarge_at_offset_202()
    {
        byte[] tx = Transfer();
        byte[] longData = [.. tx[..202], 0xFF, 0xFF, 0x03, .. tx[203..]];
        Assert.Equal(new DecodeResult(DecodeStatus.LengthTooLarge, 202), Parse(longData));
    }

    [Fact]
    public void Decoding_a_transaction_whose_instruction_runs_past_1232_bytes_reports_TooLarge_at_offset_1232()
    {
        byte[] tx = Transfer();
        // Claim 1,100 bytes of data and supply them: the transaction would end at 1,306.
        byte[] big = [.. tx[..202], 0xCC, 0x08, .. new byte[1100]];
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, 1232), TransactionView.TryParsePrefix(big, out _));
        Assert.Equal(new DecodeResult(DecodeStatus.TooLarge, 1232), TransactionView.TryParse(big, out _));
    }

    [Fact]
    public void Decoding_a_transaction_whose_program_index_is_past_its_keys_reports_IndexOutOfRange_at_offset_198()
    {
        byte[] tx = Transfer();
        tx[198] = 3;
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 198), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_whose_account_index_is_past_its_keys_reports_IndexOutOfRange_at_offset_201()
    {
        byte[] tx = Transfer();
        tx[201] = 200;
        Assert.Equal(new DecodeResult(DecodeStatus.IndexOutOfRange, 201), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_whose_program_is_the_fee_payer_reports_InvalidValue_at_offset_198()
    {
        byte[] tx = Transfer();
        tx[198] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 198), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_that_requires_two_signatures_but_has_one_reports_CountMismatch_at_offset_65()
    {
        byte[] tx = Transfer();
        tx[65] = 2;
        Assert.Equal(new DecodeResult(DecodeStatus.CountMismatch, 65), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_that_requires_no_signature_reports_InvalidValue_at_offset_65()
    {
        byte[] tx = Transfer();
        tx[65] = 0;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 65), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_whose_fee_payer_is_read_only_reports_InvalidValue_at_offset_66()
    {
        byte[] tx = Transfer();
        tx[66] = 1;
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 66), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_with_more_read_only_keys_than_keys_reports_CountMismatch_at_offset_68()
    {
        byte[] tx = Transfer();
        tx[67] = 3;
        Assert.Equal(new DecodeResult(DecodeStatus.CountMismatch, 68), Parse(tx));
    }

    [Fact]
    public void Decoding_a_transaction_with_a_repeated_account_key_reports_InvalidValue_at_the_second_copy_offset_101()
    {
        byte[] tx = Transfer();
        tx.AsSpan(69, 32).CopyTo(tx.AsSpan(101, 32));
        Assert.Equal(new DecodeResult(DecodeStatus.InvalidValue, 101), Parse(tx));
    }

    [Fact]
    public void A_transaction_re_encodes_from_its_fields_to_exactly_its_bytes()
    {
        byte[] tx = Transfer();
        TransactionView.TryParse(tx, out TransactionView view);
        byte[] output = new byte[TransactionLimits.MaxTransactionSize];
        SpanWriter writer = new(output);
        TransactionWriter.Write(ref writer, view);
        Assert.True(writer.Written.SequenceEqual(tx));
    }

    [Fact]
    public void A_transaction_written_field_by_field_and_signed_parses_and_verifies()
    {
        var payer = Keypair.Generate();
        Pubkey program = TestTransactions.RandomKey(new Random(12));
        byte[] keys = [.. payer.PublicKey, .. program.Span];
        byte[] buffer = new byte[TransactionLimits.MaxTransactionSize];
        SpanWriter writer = new(buffer);
        Span<byte> signatures = TransactionWriter.ReserveSignatures(ref writer, 1);
        int messageStart = writer.Position;
        TransactionWriter.WriteMessageHeader(ref writer, 1, 0, 1);
        TransactionWriter.WriteAccountKeys(ref writer, keys);
        TransactionWriter.WriteRecentBlockhash(ref writer, Hash.Compute([9]));
        TransactionWriter.WriteInstructionCount(ref writer, 1);
        TransactionWriter.WriteInstruction(ref writer, 1, [0], [1, 2, 3]);
        int length = writer.Position;
        payer.Sign(buffer.AsSpan(messageStart, length - messageStart), signatures);

        Assert.Equal(DecodeResult.Success, TransactionView.TryParse(buffer.AsSpan(0, length), out TransactionView view));
        Assert.Equal(program, view.GetAccountKey(1));
        Assert.True(Schnorr.Verify(view.GetAccountKeyBytes(0), view.Message, view.GetSignatureBytes(0)));
    }
}
