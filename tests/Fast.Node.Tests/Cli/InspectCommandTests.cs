using System.Net;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec;
using Fast.Exec.Programs;
using Fast.Node.Cli;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Node.Validator;
using Xunit;

namespace Fast.Node.Tests.Cli;

/// <summary>
/// `fast account`, `fast block`, `fast confirm` and `fast airdrop` run in-process against a real
/// Kestrel RPC server over a <see cref="FakeRpcBackend"/>: what they print, their JSON, their exit
/// codes, and their one-line refusals of bad input (before any call).
/// </summary>
public sealed class InspectCommandTests : IAsyncLifetime
{
    private readonly FakeRpcBackend _backend = new(); // processed 100, confirmed 99, finalized 68
    private readonly Pubkey _account = new(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly Pubkey _owner = new(Enumerable.Repeat((byte)9, 32).ToArray());
    private RpcServer? _server;
    private Signature _ok;
    private Signature _failed;

    private string Url => $"http://{_server!.LocalEndPoint}";

    public async Task InitializeAsync()
    {
        byte[] data = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        _backend.AccountStore[_account] = new AccountSnapshot(123_456, _owner, false, data);
        var blockhash = Hash.Compute("recent"u8);
        List<TransactionRecord> records = [];
        for (int i = 0; i < 2; i++)
        {
            var payer = Keypair.Generate();
            Pubkey from = new(payer.PublicKey);
            byte[] bytes = new TransactionBuilder(from, blockhash).Add(SystemInstruction.Transfer(from, _account, 10)).Sign(payer);
            TransactionView.TryParse(bytes, out TransactionView view);
            TransactionOutcome outcome = i == 0 ? TransactionOutcome.Ok : new TransactionOutcome(TransactionError.InsufficientFunds, 0);
            records.Add(new TransactionRecord(60, bytes, outcome, 5000, [100_000, 0, 1], [94_990, 10, 1], 1_700_000_060));
            if (i == 0) _ok = view.FirstSignature;
            else _failed = view.FirstSignature;
        }
        _backend.BlockStore[60] = new BlockRecord(60, 58, Hash.Compute("block 60"u8), Hash.Compute("block 58"u8), 55, 1_700_000_060, records);
        _backend.Statuses[_ok] = new SignatureStatus(60, TransactionOutcome.Ok, Commitment.Finalized, null);
        _backend.Statuses[_failed] = new SignatureStatus(97, new TransactionOutcome(TransactionError.InsufficientFunds, 0), Commitment.Processed, 3);
        _server = new RpcServer(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(_backend), _ => { }, () => null);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private CliRunner.Outcome Run(params string[] args) => CliRunner.Run([.. args, "--url", Url]);

    [Fact]
    public void Account_prints_lamports_owner_executable_length_and_a_bounded_hex_dump()
    {
        CliRunner.Outcome outcome = Run("account", _account.ToString());
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains($"Public Key: {_account}", outcome.Stdout);
        Assert.Contains("Balance:    123456 lamports", outcome.Stdout);
        Assert.Contains($"Owner:      {_owner}", outcome.Stdout);
        Assert.Contains("Executable: false", outcome.Stdout);
        Assert.Contains("Length:     300 (0x12c) bytes", outcome.Stdout);
        Assert.Contains("0000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", outcome.Stdout);
        Assert.Contains("... 44 more bytes (--json has them all)", outcome.Stdout);
    }

    [Fact]
    public void Account_json_carries_all_the_data_as_base64()
    {
        CliRunner.Outcome outcome = Run("account", _account.ToString(), "--json");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        using var json = JsonDocument.Parse(outcome.Stdout);
        JsonElement root = json.RootElement;
        Assert.Equal(123_456UL, root.GetProperty("lamports").GetUInt64());
        Assert.Equal(_owner.ToString(), root.GetProperty("owner").GetString());
        Assert.False(root.GetProperty("executable").GetBoolean());
        Assert.Equal(300UL, root.GetProperty("space").GetUInt64());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)i), Convert.FromBase64String(root.GetProperty("data").GetString()!));
    }

    [Fact]
    public void A_missing_account_exits_1_with_one_line()
    {
        CliRunner.Outcome outcome = Run("account", new Pubkey(Enumerable.Repeat((byte)1, 32).ToArray()).ToString());
        Assert.Equal(ExitCodes.Rejected, outcome.ExitCode);
        Assert.Contains("not found", outcome.Stderr);
        Assert.Single(outcome.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Block_prints_its_header_and_each_transactions_outcome_and_fee()
    {
        CliRunner.Outcome outcome = Run("block", "60");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("Parent Slot:        58", outcome.Stdout);
        Assert.Contains($"Blockhash:          {Hash.Compute("block 60"u8)}", outcome.Stdout);
        Assert.Contains("Block Time:         2023-11-14T22:14:20Z (1700000060)", outcome.Stdout);
        Assert.Contains("Block Height:       55", outcome.Stdout);
        Assert.Contains("Transactions:       2", outcome.Stdout);
        Assert.Contains($"  0 {_ok}  fee 5000  ok", outcome.Stdout);
        Assert.Contains($"  1 {_failed}  fee 5000  failed: ", outcome.Stdout);
        Assert.Contains("Fees:               10000 lamports; 1 failed", outcome.Stdout);

        CliRunner.Outcome json = Run("block", "60", "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("transactions").GetArrayLength());
    }

    [Fact]
    public void A_block_the_node_does_not_have_exits_1_with_the_nodes_reason()
    {
        CliRunner.Outcome outcome = Run("block", "61");
        Assert.Equal(ExitCodes.Rejected, outcome.ExitCode);
        Assert.Single(outcome.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", outcome.Stderr);
    }

    [Fact]
    public void Confirm_shows_status_slot_commitment_and_confirmations_and_its_exit_code_says_whether_it_succeeded()
    {
        CliRunner.Outcome ok = Run("confirm", _ok.ToString());
        Assert.Equal(ExitCodes.Ok, ok.ExitCode);
        Assert.Contains("Status:        ok", ok.Stdout);
        Assert.Contains("Slot:          60", ok.Stdout);
        Assert.Contains("Commitment:    finalized", ok.Stdout);
        Assert.Contains("Confirmations: max (rooted)", ok.Stdout);

        CliRunner.Outcome failed = Run("confirm", _failed.ToString());
        Assert.Equal(ExitCodes.Rejected, failed.ExitCode);
        Assert.Contains("Status:        failed", failed.Stdout);
        Assert.Contains("Error:         {\"InstructionError\":[0,", failed.Stdout);
        Assert.Contains("Commitment:    processed", failed.Stdout);
        Assert.Contains("Confirmations: 3", failed.Stdout);

        CliRunner.Outcome missing = Run("confirm", new Signature(Enumerable.Repeat((byte)3, 64).ToArray()).ToString());
        Assert.Equal(ExitCodes.Rejected, missing.ExitCode);
        Assert.Equal("Not found", missing.Stdout.Trim());

        using var json = JsonDocument.Parse(Run("confirm", _ok.ToString(), "--json").Stdout);
        Assert.Equal("finalized", json.RootElement.GetProperty("confirmationStatus").GetString());
    }

    [Fact]
    public void Airdrop_waits_for_the_commitment_then_prints_the_signature_and_the_new_balance()
    {
        _backend.Faucet = new Faucet(Keypair.Generate(), new FaucetLimits { MaxLamportsPerRequest = 1_000 });
        var first = new Signature(Enumerable.Repeat((byte)1, 64).ToArray()); // the fake's first airdrop signature
        _backend.Statuses[first] = new SignatureStatus(99, TransactionOutcome.Ok, Commitment.Confirmed, 1);
        CliRunner.Outcome outcome = Run("airdrop", "500", _account.ToString());
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(first.ToString(), outcome.Stdout.Trim());
        Assert.Contains("confirmed in slot 99", outcome.Stderr);
        Assert.Contains($"{_account} now holds 123456 lamports", outcome.Stderr);
        Assert.Equal([(_account, 500UL)], _backend.Airdrops);
    }

    [Fact]
    public void Airdrop_over_the_faucets_cap_exits_1_with_the_nodes_reason()
    {
        _backend.Faucet = new Faucet(Keypair.Generate(), new FaucetLimits { MaxLamportsPerRequest = 1_000 });
        CliRunner.Outcome outcome = Run("airdrop", "5000", _account.ToString());
        Assert.Equal(ExitCodes.Rejected, outcome.ExitCode);
        Assert.Contains("over the faucet's cap of 1000 per request", outcome.Stderr);
        Assert.Single(outcome.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Airdrop_that_never_lands_gives_up_after_the_timeout()
    {
        _backend.Faucet = new Faucet(Keypair.Generate(), new FaucetLimits { MaxLamportsPerRequest = 1_000 });
        CliRunner.Outcome outcome = Run("airdrop", "5", _account.ToString(), "--timeout", "1");
        Assert.Equal(ExitCodes.Rejected, outcome.ExitCode);
        Assert.Contains("was not confirmed after 1 s", outcome.Stderr);
    }

    [Theory]
    [InlineData("block", "abc", "SLOT 'abc' is not a slot number")]
    [InlineData("block", "-1", "SLOT '-1' is not a slot number")]
    [InlineData("confirm", "xyz", "SIGNATURE 'xyz' is not base58 of 64 bytes")]
    [InlineData("account", "nope", "neither 64 hex digits nor base58 of 32 bytes")]
    [InlineData("airdrop", "0", "AMOUNT '0' must be a whole number of lamports, at least 1")]
    [InlineData("airdrop", "1.5", "AMOUNT '1.5' must be a whole number of lamports")]
    public void Bad_input_is_refused_in_one_line_with_exit_code_2_before_any_call(string command, string argument, string expected)
    {
        CliRunner.Outcome outcome = CliRunner.Run(command, argument, "--url", "http://127.0.0.1:1"); // nothing listens there
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        Assert.Contains(expected, outcome.Stderr);
        Assert.Single(outcome.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_node_that_does_not_answer_exits_3()
    {
        CliRunner.Outcome outcome = CliRunner.Run("block", "5", "--url", "http://127.0.0.1:1");
        Assert.Equal(ExitCodes.Failure, outcome.ExitCode);
        Assert.Contains("cannot reach the node", outcome.Stderr);
    }

    [Theory]
    [InlineData("processed", "confirmed", false)]
    [InlineData("confirmed", "confirmed", true)]
    [InlineData("finalized", "confirmed", true)]
    [InlineData("confirmed", "finalized", false)]
    [InlineData("processed", "processed", true)]
    public void A_commitment_is_reached_by_itself_and_anything_above_it(string level, string wanted, bool reached) =>
        Assert.Equal(reached, AirdropCommand.Reached(level, wanted));
}
