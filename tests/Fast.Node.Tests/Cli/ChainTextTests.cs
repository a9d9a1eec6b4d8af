using System.Text;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Cli;
using Xunit;

namespace Fast.Node.Tests.Cli;

/// <summary>The inspect commands' parsing and formatting, without a node: arguments, hex dumps, statuses, and node answers that are not what they should be.</summary>
public class ChainTextTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData(" 42 ", 42UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void A_slot_is_a_whole_number_from_0(string text, ulong expected) => Assert.Equal(expected, ChainText.ParseSlot(text));

    [Theory]
    [InlineData("+5")]
    [InlineData("18446744073709551616")]
    [InlineData("1e3")]
    [InlineData("")]
    public void Anything_else_is_not_a_slot(string text)
    {
        CliException e = Assert.Throws<CliException>(() => ChainText.ParseSlot(text));
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public void An_over_long_argument_is_shortened_in_the_error()
    {
        CliException e = Assert.Throws<CliException>(() => ChainText.ParseSignature(new string('x', 500)));
        Assert.True(e.Message.Length < 150, e.Message);
        Assert.Contains("...", e.Message);
    }

    [Fact]
    public void The_hex_dump_shows_offsets_bytes_and_printable_text_and_counts_what_it_leaves_out()
    {
        StringBuilder text = new();
        ChainText.AppendHexDump(text, "Fast!\0\x01"u8.ToArray().Concat(new byte[30]).ToArray(), maxBytes: 20);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0000: 46 61 73 74 21 00 01 00 00 00 00 00 00 00 00 00   Fast!...........", lines[0]);
        Assert.StartsWith("0010: 00 00 00 00" + new string(' ', 36), lines[1]);
        Assert.Equal("... 17 more bytes (--json has them all)", lines[2]);
    }

    [Fact]
    public void A_missing_account_reads_as_null_with_its_context_slot()
    {
        Assert.Null(ChainText.ReadAccount(Json("""{"context":{"slot":7},"value":null}"""), out ulong slot));
        Assert.Equal(7UL, slot);
    }

    [Theory]
    [InlineData("""{"context":{"slot":7}}""")]
    [InlineData("""{"value":{"lamports":1,"owner":"x","executable":false,"data":["AAAA","base58"]}}""")]
    [InlineData("""{"value":{"lamports":1,"owner":"x","executable":false,"data":["not base64!","base64"]}}""")]
    [InlineData("""{"value":{"lamports":-1,"owner":"x","executable":false,"data":["","base64"]}}""")]
    [InlineData("""{"value":{"lamports":1,"executable":false,"data":["","base64"]}}""")]
    [InlineData("[]")]
    public void A_malformed_account_answer_is_a_one_line_failure_not_a_crash(string answer)
    {
        CliException e = Assert.Throws<CliException>(() => ChainText.ReadAccount(Json(answer), out _));
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
        Assert.StartsWith("getAccountInfo: the node's answer is malformed", e.Message);
    }

    [Fact]
    public void The_account_json_round_trips_the_data_and_keeps_the_space_the_node_reported()
    {
        AccountView account = ChainText.ReadAccount(Json("""{"context":{"slot":9},"value":{"lamports":5,"owner":"11111111111111111111111111111111","executable":true,"data":["AQID","base64"],"space":3}}"""), out ulong slot)!;
        using var json = JsonDocument.Parse(ChainText.AccountJson(Pubkey.Zero, account, slot));
        Assert.Equal("AQID", json.RootElement.GetProperty("data").GetString());
        Assert.True(json.RootElement.GetProperty("executable").GetBoolean());
        Assert.Equal(3UL, json.RootElement.GetProperty("space").GetUInt64());
        Assert.Equal(9UL, json.RootElement.GetProperty("contextSlot").GetUInt64());
    }

    [Fact]
    public void A_status_shows_its_error_and_says_max_confirmations_once_rooted()
    {
        string failed = ChainText.StatusText(Json("""{"slot":12,"confirmations":4,"err":{"InstructionError":[0,{"Custom":1}]},"confirmationStatus":"confirmed"}"""));
        Assert.Contains("Status:        failed", failed);
        Assert.Contains("Error:         {\"InstructionError\":[0,{\"Custom\":1}]}", failed);
        Assert.Contains("Confirmations: 4", failed);
        string rooted = ChainText.StatusText(Json("""{"slot":12,"confirmations":null,"err":null,"confirmationStatus":"finalized"}"""));
        Assert.Contains("Status:        ok", rooted);
        Assert.DoesNotContain("Error:", rooted);
        Assert.Contains("Confirmations: max (rooted)", rooted);
    }

    [Fact]
    public void A_block_without_its_hashes_is_a_one_line_failure()
    {
        CliException e = Assert.Throws<CliException>(() => ChainText.BlockText(5, Json("""{"parentSlot":4}""")));
        Assert.Equal(ExitCodes.Failure, e.ExitCode);
        Assert.Contains("no blockhash", e.Message);
    }

    [Fact]
    public void Statuses_without_a_value_array_are_malformed()
    {
        Assert.Throws<CliException>(() => ChainText.FirstStatus(Json("""{"context":{"slot":1},"value":[]}""")));
        Assert.Equal(JsonValueKind.Null, ChainText.FirstStatus(Json("""{"context":{"slot":1},"value":[null]}""")).ValueKind);
    }
}
