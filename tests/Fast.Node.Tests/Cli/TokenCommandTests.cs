using System.Net;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Cli;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cli;

/// <summary>`fast token ...` against an in-process RPC server over a fake backend: what it reads, and the transactions it sends.</summary>
public sealed class TokenCommandTests : IAsyncLifetime, IDisposable
{
    private readonly FakeRpcBackend _backend = new();
    private readonly TempDir _dir = new("fast-token-cli");
    private readonly Keypair _owner = Keypair.Generate();
    private readonly Pubkey _mint = new(Enumerable.Repeat((byte)11, 32).ToArray());
    private readonly Pubkey _account = new(Enumerable.Repeat((byte)12, 32).ToArray());
    private readonly Pubkey _other = new(Enumerable.Repeat((byte)13, 32).ToArray());
    private RpcServer? _server;

    private string KeypairPath => Path.Combine(_dir.Path, "owner.json");

    private string Url => $"http://{_server!.LocalEndPoint}";

    public async Task InitializeAsync()
    {
        Assert.Equal(KeypairFileError.None, KeypairFile.TryWrite(KeypairPath, _owner, overwrite: false, out string message));
        _ = message;
        byte[] mint = new byte[MintState.Length];
        new MintState { Decimals = 2, MintAuthority = new Pubkey(_owner.PublicKey), MaxSupply = 1_000_000, MintedTotal = 700, BurntTotal = 200 }.Write(mint);
        _backend.AccountStore[_mint] = new AccountSnapshot(2_000_000, TokenProgram.Id, false, mint);
        byte[] account = new byte[TokenAccountState.Length];
        new TokenAccountState { Mint = _mint, Owner = new Pubkey(_owner.PublicKey), Amount = 500 }.Write(account);
        _backend.AccountStore[_account] = new AccountSnapshot(2_000_000, TokenProgram.Id, false, account);
        _backend.AccountStore[_other] = new AccountSnapshot(2_000_000, Pubkey.Zero, false, []);
        _server = new RpcServer(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(_backend), _ => { }, () => null);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The one transaction the backend received, parsed.</summary>
    private byte[] SubmittedTransaction()
    {
        Assert.Single(_backend.Submitted);
        return _backend.Submitted[0];
    }

    [Theory]
    [InlineData("create-mint")]
    [InlineData("create-account")]
    [InlineData("mint")]
    [InlineData("transfer")]
    [InlineData("burn")]
    [InlineData("balance")]
    [InlineData("supply")]
    public void Every_token_command_has_help(string command)
    {
        CliRunner.Outcome outcome = CliRunner.Run("token", command, "--help");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("Usage:", outcome.Stdout);
    }

    [Fact]
    public void Balance_and_supply_decode_the_accounts_the_node_holds()
    {
        CliRunner.Outcome balance = CliRunner.Run("token", "balance", _account.ToString(), "--url", Url);
        Assert.True(balance.ExitCode == ExitCodes.Ok, balance.Stderr);
        Assert.Equal("500", balance.Stdout.Trim());

        CliRunner.Outcome supply = CliRunner.Run("token", "supply", _mint.ToString(), "--url", Url, "--json");
        Assert.True(supply.ExitCode == ExitCodes.Ok, supply.Stderr);
        using var doc = JsonDocument.Parse(supply.Stdout);
        Assert.Equal(500UL, doc.RootElement.GetProperty("supply").GetUInt64());
        Assert.Equal(1_000_000UL, doc.RootElement.GetProperty("maxSupply").GetUInt64());
        Assert.Equal(200UL, doc.RootElement.GetProperty("burntTotal").GetUInt64());
    }

    [Fact]
    public void Reading_an_account_that_is_not_a_token_account_or_mint_is_refused()
    {
        Assert.Equal(ExitCodes.Rejected, CliRunner.Run("token", "balance", _other.ToString(), "--url", Url).ExitCode);
        Assert.Equal(ExitCodes.Rejected, CliRunner.Run("token", "supply", _account.ToString(), "--url", Url).ExitCode);
        Assert.Equal(ExitCodes.Rejected, CliRunner.Run("token", "balance", new Pubkey(Enumerable.Repeat((byte)99, 32).ToArray()).ToString(), "--url", Url).ExitCode);
    }

    [Fact]
    public void Transfer_sends_one_signed_token_transfer_from_the_keypair()
    {
        CliRunner.Outcome outcome = CliRunner.Run("token", "transfer", _account.ToString(), _other.ToString(), "42", "-k", KeypairPath, "--url", Url);
        Assert.True(outcome.ExitCode == ExitCodes.Ok, outcome.Stderr);
        byte[] tx = SubmittedTransaction();
        Assert.True(TransactionView.TryParse(tx, out TransactionView view).IsOk);
        Assert.Equal(outcome.Stdout.Trim(), view.FirstSignature.ToString());
        Assert.True(Schnorr.Verify(_owner.PublicKey, view.Message, view.GetSignatureBytes(0)));
        Assert.Equal(1, view.InstructionCount);
        foreach (InstructionView instruction in view.Instructions)
        {
            Assert.Equal(TokenProgram.Id, view.GetAccountKey(instruction.ProgramIdIndex));
            Assert.True(TokenInstructionData.TryDecode(instruction.Data, out TokenInstructionData data).IsOk);
            Assert.Equal((TokenInstructionKind.Transfer, 42UL), (data.Kind, data.Amount));
            Assert.Equal(_account, view.GetAccountKey(instruction.AccountIndexes[0]));
            Assert.Equal(_other, view.GetAccountKey(instruction.AccountIndexes[1]));
        }
    }

    [Fact]
    public void Create_mint_funds_a_new_mint_account_with_the_rent_minimum_and_initializes_its_cap()
    {
        CliRunner.Outcome outcome = CliRunner.Run("token", "create-mint", "--max-supply", "21000000", "--decimals", "8", "-k", KeypairPath, "--url", Url, "--json");
        Assert.True(outcome.ExitCode == ExitCodes.Ok, outcome.Stderr);
        using var doc = JsonDocument.Parse(outcome.Stdout);
        Assert.True(Pubkey.TryParse(doc.RootElement.GetProperty("mint").GetString(), out Pubkey mint));
        Assert.True(TransactionView.TryParse(SubmittedTransaction(), out TransactionView view).IsOk);
        Assert.Equal(2, view.SignatureCount); // the payer and the new mint
        int i = 0;
        foreach (InstructionView instruction in view.Instructions)
        {
            if (i++ == 0)
            {
                Assert.True(view.GetAccountKey(instruction.ProgramIdIndex).IsZero); // system CreateAccount
                Assert.Equal(SystemInstruction.CreateAccount(new Pubkey(_owner.PublicKey), mint, _backend.Rent.MinimumBalance(MintState.Length), MintState.Length, TokenProgram.Id).Data, instruction.Data.ToArray());
            }
            else
            {
                Assert.True(TokenInstructionData.TryDecode(instruction.Data, out TokenInstructionData data).IsOk);
                Assert.Equal((TokenInstructionKind.InitializeMint, 21_000_000UL, (byte)8, new Pubkey(_owner.PublicKey), false), (data.Kind, data.Amount, data.Decimals, data.Authority, data.HasFreezeAuthority));
                Assert.Equal(mint, view.GetAccountKey(instruction.AccountIndexes[0]));
            }
        }
    }

    [Fact]
    public void Burn_reads_the_accounts_mint_and_sends_the_burn()
    {
        CliRunner.Outcome outcome = CliRunner.Run("token", "burn", _account.ToString(), "7", "-k", KeypairPath, "--url", Url, "--json");
        Assert.True(outcome.ExitCode == ExitCodes.Ok, outcome.Stderr);
        Assert.True(TransactionView.TryParse(SubmittedTransaction(), out TransactionView view).IsOk);
        foreach (InstructionView instruction in view.Instructions)
        {
            Assert.True(TokenInstructionData.TryDecode(instruction.Data, out TokenInstructionData data).IsOk);
            Assert.Equal((TokenInstructionKind.Burn, 7UL), (data.Kind, data.Amount));
            Assert.Equal(_mint, view.GetAccountKey(instruction.AccountIndexes[1]));
        }
    }

    [Theory]
    [InlineData("token", "balance", "not-a-key")]
    [InlineData("token", "mint", "11111111111111111111111111111111", "11111111111111111111111111111111", "-5", "-k", "/nonexistent.json")]
    [InlineData("token", "transfer", "11111111111111111111111111111111", "11111111111111111111111111111111", "18446744073709551616", "-k", "/nonexistent.json")]
    [InlineData("token", "create-mint", "-k", "/nonexistent.json")]
    [InlineData("token", "supply", "11111111111111111111111111111111", "--url", "http://127.0.0.1:1")]
    public void Malformed_token_invocations_get_one_error_line_and_a_nonzero_exit(params string[] args)
    {
        CliRunner.Outcome outcome = CliRunner.Run(args);
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        Assert.NotEqual(ExitCodes.Internal, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", outcome.Stderr);
    }
}
