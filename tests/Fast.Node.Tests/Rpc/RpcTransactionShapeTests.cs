using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec;
using Fast.Exec.Programs;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

/// <summary>getTransaction in Solana's shapes (EncodedConfirmedTransactionWithStatusMeta), for each encoding and outcome.</summary>
public class RpcTransactionShapeTests
{
    private const string SystemProgramId = "11111111111111111111111111111111";
    private readonly FakeRpcBackend _backend = new();
    private readonly Keypair _payer = Keypair.Generate();
    private readonly Pubkey _recipient = new(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly Hash _blockhash = Hash.Compute("recent"u8);

    private (Signature Signature, byte[] Bytes) Store(byte[] bytes, TransactionOutcome outcome, ulong slot = 50)
    {
        TransactionView.TryParse(bytes, out TransactionView view);
        Signature signature = view.FirstSignature;
        int keys = view.AccountKeyCount;
        ulong[] pre = [.. Enumerable.Range(0, keys).Select(i => 1_000_000UL * (ulong)(i + 1))];
        ulong[] post = [.. pre.Select((b, i) => i == 0 ? b - 5000 : b)];
        _backend.TransactionStore[signature] = new TransactionRecord(slot, bytes, outcome, 5000, pre, post, 1_700_000_000);
        return (signature, bytes);
    }

    private (Signature Signature, byte[] Bytes) StoreTransfer(TransactionOutcome outcome) =>
        Store(new TransactionBuilder(new Pubkey(_payer.PublicKey), _blockhash).Add(SystemInstruction.Transfer(new Pubkey(_payer.PublicKey), _recipient, 12_345)).Sign(_payer), outcome);

    [Fact]
    public void GetTransaction_defaults_to_json_with_Solanas_message_and_meta_fields()
    {
        (Signature signature, _) = StoreTransfer(TransactionOutcome.Ok);
        JsonElement result = RpcCall.Result(_backend, "getTransaction", $"""["{signature}"]""");

        Assert.Equal(["blockTime", "meta", "slot", "transaction"], RpcCall.Names(result)); // no "version" unless maxSupportedTransactionVersion is sent
        Assert.Equal(50UL, result.GetProperty("slot").GetUInt64());
        Assert.Equal(1_700_000_000L, result.GetProperty("blockTime").GetInt64());

        JsonElement tx = result.GetProperty("transaction");
        Assert.Equal(["message", "signatures"], RpcCall.Names(tx));
        Assert.Equal(signature.ToString(), tx.GetProperty("signatures")[0].GetString());
        JsonElement message = tx.GetProperty("message");
        Assert.Equal(["accountKeys", "header", "instructions", "recentBlockhash"], RpcCall.Names(message));
        JsonElement header = message.GetProperty("header");
        Assert.Equal(1, header.GetProperty("numRequiredSignatures").GetInt32());
        Assert.Equal(0, header.GetProperty("numReadonlySignedAccounts").GetInt32());
        Assert.Equal(1, header.GetProperty("numReadonlyUnsignedAccounts").GetInt32());
        Assert.Equal([new Pubkey(_payer.PublicKey).ToString(), _recipient.ToString(), SystemProgramId],
            message.GetProperty("accountKeys").EnumerateArray().Select(k => k.GetString()!).ToArray());
        Assert.Equal(_blockhash.ToString(), message.GetProperty("recentBlockhash").GetString());
        JsonElement instruction = message.GetProperty("instructions")[0];
        Assert.Equal(["accounts", "data", "programIdIndex", "stackHeight"], RpcCall.Names(instruction));
        Assert.Equal(2, instruction.GetProperty("programIdIndex").GetInt32());
        Assert.Equal([0, 1], instruction.GetProperty("accounts").EnumerateArray().Select(a => a.GetInt32()).ToArray());
        Assert.Equal(Base58.Encode(SystemInstruction.TransferData(12_345)), instruction.GetProperty("data").GetString());
        Assert.Equal(JsonValueKind.Null, instruction.GetProperty("stackHeight").ValueKind);

        JsonElement meta = result.GetProperty("meta");
        Assert.Equal(["err", "fee", "innerInstructions", "loadedAddresses", "logMessages", "postBalances", "postTokenBalances", "preBalances", "preTokenBalances", "rewards", "status"],
            RpcCall.Names(meta));
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("err").ValueKind);
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("status").GetProperty("Ok").ValueKind);
        Assert.Equal(5000UL, meta.GetProperty("fee").GetUInt64());
        Assert.Equal([1_000_000UL, 2_000_000UL, 3_000_000UL], meta.GetProperty("preBalances").EnumerateArray().Select(b => b.GetUInt64()).ToArray());
        Assert.Equal([995_000UL, 2_000_000UL, 3_000_000UL], meta.GetProperty("postBalances").EnumerateArray().Select(b => b.GetUInt64()).ToArray());
        Assert.Equal([$"Program {SystemProgramId} invoke [1]", $"Program {SystemProgramId} success"],
            meta.GetProperty("logMessages").EnumerateArray().Select(l => l.GetString()!).ToArray());
        foreach (string empty in new[] { "innerInstructions", "preTokenBalances", "postTokenBalances", "rewards" }) Assert.Equal(0, meta.GetProperty(empty).GetArrayLength());
        Assert.Equal(["readonly", "writable"], RpcCall.Names(meta.GetProperty("loadedAddresses")));
    }

    [Fact]
    public void A_failed_transfer_reports_Solanas_instruction_error_in_err_status_and_logs()
    {
        (Signature signature, _) = StoreTransfer(new TransactionOutcome(TransactionError.InsufficientFunds, 0));
        JsonElement meta = RpcCall.Result(_backend, "getTransaction", $"""["{signature}"]""").GetProperty("meta");
        Assert.Equal("""{"InstructionError":[0,{"Custom":1}]}""", meta.GetProperty("err").GetRawText());
        Assert.Equal("""{"Err":{"InstructionError":[0,{"Custom":1}]}}""", meta.GetProperty("status").GetRawText());
        Assert.Equal([$"Program {SystemProgramId} invoke [1]", $"Program {SystemProgramId} failed: custom program error: 0x1"],
            meta.GetProperty("logMessages").EnumerateArray().Select(l => l.GetString()!).ToArray());
    }

    [Theory]
    [InlineData(TransactionError.InvalidInstruction, 0, """{"InstructionError":[0,"InvalidInstructionData"]}""")]
    [InlineData(TransactionError.MissingRequiredSignature, 0, """{"InstructionError":[0,"MissingRequiredSignature"]}""")]
    [InlineData(TransactionError.AccountAlreadyExists, 0, """{"InstructionError":[0,{"Custom":0}]}""")]
    [InlineData(TransactionError.InsufficientFundsForRent, 1, """{"InsufficientFundsForRent":{"account_index":1}}""")]
    [InlineData(TransactionError.AccountNotFound, 0, "\"AccountNotFound\"")]
    [InlineData(TransactionError.BlockhashExpired, 0, "\"BlockhashNotFound\"")]
    [InlineData(TransactionError.AlreadyProcessed, 0, "\"AlreadyProcessed\"")]
    [InlineData(TransactionError.MintCapExceeded, 2, """{"InstructionError":[2,{"Custom":100}]}""")]
    [InlineData(TransactionError.ProposalThresholdNotMet, 0, """{"InstructionError":[0,{"Custom":202}]}""")]
    [InlineData(TransactionError.AccountFrozen, 0, """{"InstructionError":[0,{"Custom":17}]}""")]
    [InlineData(TransactionError.InvalidAccountData, 0, """{"InstructionError":[0,"InvalidAccountData"]}""")]
    [InlineData(TransactionError.CallDepthExceeded, 1, """{"InstructionError":[1,"CallDepth"]}""")]
    public void Every_error_is_written_as_Solanas_TransactionError(TransactionError error, byte index, string expected)
    {
        Assert.Equal(expected, TransactionErrorJson.Text(new TransactionOutcome(error, index)));
    }

    [Fact]
    public void Every_runtime_error_has_a_Solana_shape_not_a_bare_number()
    {
        foreach (TransactionError error in Enum.GetValues<TransactionError>())
        {
            string text = TransactionErrorJson.Text(new TransactionOutcome(error, 0));
            Assert.DoesNotMatch("^\\{\"InstructionError\":\\[0,\"\\d+\"\\]\\}$", text);
        }
    }

    [Fact]
    public void JsonParsed_annotates_account_keys_and_parses_system_instructions_as_Solana_does()
    {
        Pubkey payer = new(_payer.PublicKey);
        var fresh = Keypair.Generate();
        Pubkey owner = new(Enumerable.Repeat((byte)3, 32).ToArray());
        Pubkey other = new(Enumerable.Repeat((byte)9, 32).ToArray());
        byte[] bytes = new TransactionBuilder(payer, _blockhash)
            .Add(SystemInstruction.Transfer(payer, _recipient, 12_345))
            .Add(SystemInstruction.CreateAccount(payer, new Pubkey(fresh.PublicKey), 2_000_000, 64, owner))
            .AddInstruction(other, [AccountMeta.ReadOnly(_recipient)], [1, 2, 3])
            .Sign(_payer, fresh);
        (Signature signature, _) = Store(bytes, TransactionOutcome.Ok);
        JsonElement result = RpcCall.Result(_backend, "getTransaction", $$"""["{{signature}}",{"encoding":"jsonParsed"}]""");
        JsonElement message = result.GetProperty("transaction").GetProperty("message");
        Assert.Equal(["accountKeys", "instructions", "recentBlockhash"], RpcCall.Names(message));

        JsonElement first = message.GetProperty("accountKeys")[0];
        Assert.Equal(["pubkey", "signer", "source", "writable"], RpcCall.Names(first));
        Assert.Equal(payer.ToString(), first.GetProperty("pubkey").GetString());
        Assert.True(first.GetProperty("signer").GetBoolean());
        Assert.True(first.GetProperty("writable").GetBoolean());
        Assert.Equal("transaction", first.GetProperty("source").GetString());

        JsonElement transfer = message.GetProperty("instructions")[0];
        Assert.Equal(["parsed", "program", "programId", "stackHeight"], RpcCall.Names(transfer));
        Assert.Equal("system", transfer.GetProperty("program").GetString());
        Assert.Equal(SystemProgramId, transfer.GetProperty("programId").GetString());
        Assert.Equal("transfer", transfer.GetProperty("parsed").GetProperty("type").GetString());
        JsonElement info = transfer.GetProperty("parsed").GetProperty("info");
        Assert.Equal(["destination", "lamports", "source"], RpcCall.Names(info));
        Assert.Equal(payer.ToString(), info.GetProperty("source").GetString());
        Assert.Equal(_recipient.ToString(), info.GetProperty("destination").GetString());
        Assert.Equal(12_345UL, info.GetProperty("lamports").GetUInt64());

        JsonElement create = message.GetProperty("instructions")[1].GetProperty("parsed");
        Assert.Equal("createAccount", create.GetProperty("type").GetString());
        Assert.Equal(["lamports", "newAccount", "owner", "source", "space"], RpcCall.Names(create.GetProperty("info")));
        Assert.Equal(new Pubkey(fresh.PublicKey).ToString(), create.GetProperty("info").GetProperty("newAccount").GetString());
        Assert.Equal(64UL, create.GetProperty("info").GetProperty("space").GetUInt64());
        Assert.Equal(owner.ToString(), create.GetProperty("info").GetProperty("owner").GetString());

        JsonElement unknown = message.GetProperty("instructions")[2];
        Assert.Equal(["accounts", "data", "programId", "stackHeight"], RpcCall.Names(unknown));
        Assert.Equal(other.ToString(), unknown.GetProperty("programId").GetString());
        Assert.Equal(_recipient.ToString(), unknown.GetProperty("accounts")[0].GetString());
        Assert.Equal(Base58.Encode([1, 2, 3]), unknown.GetProperty("data").GetString());

        Assert.False(result.GetProperty("meta").TryGetProperty("loadedAddresses", out _)); // Solana leaves it out of jsonParsed
        Assert.Equal(6, result.GetProperty("meta").GetProperty("logMessages").GetArrayLength());
    }

    [Fact]
    public void A_system_instruction_with_bad_data_is_partially_decoded_in_jsonParsed()
    {
        Pubkey payer = new(_payer.PublicKey);
        byte[] bytes = new TransactionBuilder(payer, _blockhash).AddInstruction(SystemProgram.Id, [AccountMeta.Writable(payer, signer: true)], [2, 0, 0, 0, 1]).Sign(_payer);
        (Signature signature, _) = Store(bytes, new TransactionOutcome(TransactionError.InvalidInstruction, 0));
        JsonElement instruction = RpcCall.Result(_backend, "getTransaction", $$"""["{{signature}}",{"encoding":"jsonParsed"}]""")
            .GetProperty("transaction").GetProperty("message").GetProperty("instructions")[0];
        Assert.Equal(SystemProgramId, instruction.GetProperty("programId").GetString());
        Assert.False(instruction.TryGetProperty("parsed", out _));
        Assert.Equal(Base58.Encode([2, 0, 0, 0, 1]), instruction.GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("base58")]
    public void Binary_encodings_are_a_data_and_encoding_pair_of_the_exact_bytes(string encoding)
    {
        (Signature signature, byte[] bytes) = StoreTransfer(TransactionOutcome.Ok);
        JsonElement result = RpcCall.Result(_backend, "getTransaction", $$"""["{{signature}}",{"encoding":"{{encoding}}"}]""");
        JsonElement pair = result.GetProperty("transaction");
        Assert.Equal(2, pair.GetArrayLength());
        Assert.Equal(encoding, pair[1].GetString());
        byte[] decoded = encoding == "base64" ? Convert.FromBase64String(pair[0].GetString()!) : Base58Decode(pair[0].GetString()!);
        Assert.Equal(bytes, decoded);
        Assert.True(result.GetProperty("meta").TryGetProperty("loadedAddresses", out _));
    }

    [Fact]
    public void MaxSupportedTransactionVersion_adds_the_legacy_version_and_a_bad_value_is_invalid_params()
    {
        (Signature signature, _) = StoreTransfer(TransactionOutcome.Ok);
        JsonElement result = RpcCall.Result(_backend, "getTransaction", $$"""["{{signature}}",{"maxSupportedTransactionVersion":0}]""");
        Assert.Equal("legacy", result.GetProperty("version").GetString());
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getTransaction", $$"""["{{signature}}",{"maxSupportedTransactionVersion":-1}]""").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getTransaction", $$"""["{{signature}}",{"maxSupportedTransactionVersion":"0"}]""").Code);
    }

    [Fact]
    public void GetTransaction_refuses_processed_commitment_and_unknown_encodings_and_answers_null_for_an_unknown_signature()
    {
        (Signature signature, _) = StoreTransfer(TransactionOutcome.Ok);
        (int code, string message) = RpcCall.Error(_backend, "getTransaction", $$"""["{{signature}}",{"commitment":"processed"}]""");
        Assert.Equal(RpcError.InvalidParams, code);
        Assert.Equal("Method does not support commitment below `confirmed`", message);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getTransaction", $$"""["{{signature}}",{"encoding":"hex"}]""").Code);
        Assert.Equal(RpcError.InvalidParams, RpcCall.Error(_backend, "getTransaction", """["not-a-signature"]""").Code);
        Signature unknown = new(Enumerable.Repeat((byte)1, 64).ToArray());
        Assert.Equal(JsonValueKind.Null, RpcCall.Result(_backend, "getTransaction", $"""["{unknown}"]""").ValueKind);
    }

    [Fact]
    public void GetSignatureStatuses_writes_errors_in_Solanas_shape()
    {
        Signature failed = new(Enumerable.Repeat((byte)4, 64).ToArray());
        _backend.Statuses[failed] = new SignatureStatus(60, new TransactionOutcome(TransactionError.InsufficientFunds, 0), Commitment.Finalized, null);
        JsonElement status = RpcCall.Result(_backend, "getSignatureStatuses", $"""[["{failed}"]]""").GetProperty("value")[0];
        Assert.Equal(["confirmationStatus", "confirmations", "err", "slot", "status"], RpcCall.Names(status));
        Assert.Equal("""{"InstructionError":[0,{"Custom":1}]}""", status.GetProperty("err").GetRawText());
        Assert.Equal("""{"Err":{"InstructionError":[0,{"Custom":1}]}}""", status.GetProperty("status").GetRawText());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("confirmations").ValueKind);
        Assert.Equal("finalized", status.GetProperty("confirmationStatus").GetString());
    }

    private static byte[] Base58Decode(string text)
    {
        byte[] buffer = new byte[2048];
        Assert.True(Base58.TryDecode(text, buffer, out int written));
        return buffer[..written];
    }
}
