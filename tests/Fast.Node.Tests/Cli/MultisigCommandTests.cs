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

/// <summary>`fast multisig ...` against an in-process RPC server over a fake backend: the transactions it sends and what it shows.</summary>
public sealed class MultisigCommandTests : IAsyncLifetime, IDisposable
{
    private readonly FakeRpcBackend _backend = new();
    private readonly TempDir _dir = new("fast-multisig-cli");
    private readonly Keypair _member = Keypair.Generate();
    private readonly Pubkey _multisig = new(Enumerable.Repeat((byte)21, 32).ToArray());
    private readonly Pubkey _proposal = new(Enumerable.Repeat((byte)22, 32).ToArray());
    private readonly Pubkey _recipient = new(Enumerable.Repeat((byte)23, 32).ToArray());
    private readonly Pubkey _second = new(Enumerable.Repeat((byte)24, 32).ToArray());
    private RpcServer? _server;

    private string KeypairPath => Path.Combine(_dir.Path, "member.json");

    private string Url => $"http://{_server!.LocalEndPoint}";

    private Pubkey Vault => MultisigVault.Derive(_multisig);

    public async Task InitializeAsync()
    {
        Assert.Equal(KeypairFileError.None, KeypairFile.TryWrite(KeypairPath, _member, overwrite: false, out _));
        byte[] multisig = new byte[MultisigView.Length];
        byte[] signers = [.. _member.PublicKey, .. _second.Span];
        Pubkey vault = MultisigVault.Derive(_multisig, out byte bump);
        MultisigView.Write(multisig, 2, signers, 50, vault, bump);
        _backend.AccountStore[_multisig] = new AccountSnapshot(5_000_000, MultisigProgram.Id, false, multisig);
        _backend.AccountStore[vault] = new AccountSnapshot(77_000_000, Pubkey.Zero, false, []);
        byte[] list = InnerInstructionList.Encode([SystemInstruction.Transfer(vault, _recipient, 1_000_000)]);
        byte[] proposal = new byte[ProposalHeader.AccountLength(list.Length)];
        new ProposalHeader { Status = ProposalStatus.Active, ApprovalCount = 1, Approvals = 1, Multisig = _multisig, Proposer = new Pubkey(_member.PublicKey), CreatedSlot = 90, ExpiresAtSlot = 140, InstructionsLength = (uint)list.Length }.Write(proposal);
        list.CopyTo(proposal, ProposalHeader.Length);
        _backend.AccountStore[_proposal] = new AccountSnapshot(5_000_000, MultisigProgram.Id, false, proposal);
        _server = new RpcServer(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(_backend), _ => { }, () => null);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The single instruction of the multisig program in the one submitted transaction, with its account keys.</summary>
    private (MultisigInstructionKind Kind, byte[] Data, Pubkey[] Accounts) SubmittedMultisigInstruction()
    {
        Assert.Single(_backend.Submitted);
        Assert.True(TransactionView.TryParse(_backend.Submitted[0], out TransactionView view).IsOk);
        foreach (InstructionView instruction in view.Instructions)
        {
            if (view.GetAccountKey(instruction.ProgramIdIndex) != MultisigProgram.Id) continue;
            var accounts = new Pubkey[instruction.AccountIndexes.Length];
            for (int i = 0; i < accounts.Length; i++) accounts[i] = view.GetAccountKey(instruction.AccountIndexes[i]);
            return ((MultisigInstructionKind)instruction.Data[0], instruction.Data.ToArray(), accounts);
        }
        throw new Xunit.Sdk.XunitException("no multisig instruction was sent");
    }

    [Theory]
    [InlineData("create")]
    [InlineData("propose")]
    [InlineData("approve")]
    [InlineData("execute")]
    [InlineData("cancel")]
    [InlineData("show")]
    public void Every_multisig_command_has_help(string command)
    {
        CliRunner.Outcome outcome = CliRunner.Run("multisig", command, "--help");
        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("Usage:", outcome.Stdout);
    }

    [Fact]
    public void Create_sends_the_threshold_members_and_lifetime()
    {
        CliRunner.Outcome outcome = CliRunner.Run("multisig", "create", "--threshold", "2", "--signer", new Pubkey(_member.PublicKey).ToString(), "--signer", _second.ToString(), "--lifetime-slots", "300", "-k", KeypairPath, "--url", Url, "--json");
        Assert.True(outcome.ExitCode == ExitCodes.Ok, outcome.Stderr);
        using var doc = JsonDocument.Parse(outcome.Stdout);
        Assert.True(Pubkey.TryParse(doc.RootElement.GetProperty("multisig").GetString(), out Pubkey created));
        Assert.Equal(MultisigVault.Derive(created).ToString(), doc.RootElement.GetProperty("vault").GetString());
        (MultisigInstructionKind kind, byte[] data, Pubkey[] accounts) = SubmittedMultisigInstruction();
        Assert.Equal(MultisigInstructionKind.Create, kind);
        Assert.True(MultisigInstructionData.TryDecode(data, out MultisigInstructionData decoded).IsOk);
        Assert.Equal((2, 2, 300UL), (decoded.Threshold, decoded.SignerCount, decoded.ProposalLifetimeSlots));
        Assert.Equal([created], accounts);
    }

    [Fact]
    public void Propose_stores_a_vault_payout_and_execute_lists_the_accounts_it_needs()
    {
        CliRunner.Outcome proposed = CliRunner.Run("multisig", "propose", _multisig.ToString(), "--to", _recipient.ToString(), "--amount", "1000000", "-k", KeypairPath, "--url", Url);
        Assert.True(proposed.ExitCode == ExitCodes.Ok, proposed.Stderr);
        (MultisigInstructionKind kind, byte[] data, _) = SubmittedMultisigInstruction();
        Assert.Equal(MultisigInstructionKind.Propose, kind);
        Assert.Equal(MultisigInstruction.Propose(_multisig, _proposal, _recipient, [SystemInstruction.Transfer(Vault, _recipient, 1_000_000)]).Data, data);

        _backend.Submitted.Clear();
        CliRunner.Outcome executed = CliRunner.Run("multisig", "execute", _multisig.ToString(), _proposal.ToString(), "-k", KeypairPath, "--url", Url);
        Assert.True(executed.ExitCode == ExitCodes.Ok, executed.Stderr);
        (kind, _, Pubkey[] accounts) = SubmittedMultisigInstruction();
        Assert.Equal(MultisigInstructionKind.Execute, kind);
        Assert.Equal([_multisig, _proposal, Vault], accounts[..3]);
        Assert.Contains(_recipient, accounts);
    }

    [Fact]
    public void Show_reads_a_multisig_and_a_proposal()
    {
        CliRunner.Outcome multisig = CliRunner.Run("multisig", "show", _multisig.ToString(), "--url", Url, "--json");
        Assert.True(multisig.ExitCode == ExitCodes.Ok, multisig.Stderr);
        using (var doc = JsonDocument.Parse(multisig.Stdout))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("threshold").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("signers").GetArrayLength());
            Assert.Equal(77_000_000UL, doc.RootElement.GetProperty("vaultLamports").GetUInt64());
        }
        CliRunner.Outcome proposal = CliRunner.Run("multisig", "show", _proposal.ToString(), "--url", Url, "--json");
        Assert.True(proposal.ExitCode == ExitCodes.Ok, proposal.Stderr);
        using (var doc = JsonDocument.Parse(proposal.Stdout))
        {
            Assert.Equal("active", doc.RootElement.GetProperty("status").GetString());
            Assert.Equal(1, doc.RootElement.GetProperty("approvals").GetInt32());
            Assert.Equal(140UL, doc.RootElement.GetProperty("expiresAtSlot").GetUInt64());
        }
        Assert.Equal(ExitCodes.Rejected, CliRunner.Run("multisig", "show", _recipient.ToString(), "--url", Url).ExitCode);
    }

    [Fact]
    public void Approve_and_cancel_send_the_members_instruction()
    {
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("multisig", "approve", _multisig.ToString(), _proposal.ToString(), "-k", KeypairPath, "--url", Url).ExitCode);
        (MultisigInstructionKind kind, _, Pubkey[] accounts) = SubmittedMultisigInstruction();
        Assert.Equal(MultisigInstructionKind.Approve, kind);
        Assert.Equal([_multisig, _proposal, new Pubkey(_member.PublicKey)], accounts);
        _backend.Submitted.Clear();
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("multisig", "cancel", _proposal.ToString(), "-k", KeypairPath, "--url", Url).ExitCode);
        (kind, _, accounts) = SubmittedMultisigInstruction();
        Assert.Equal(MultisigInstructionKind.Cancel, kind);
        Assert.Equal([_proposal, new Pubkey(_member.PublicKey)], accounts);
    }

    [Theory]
    [InlineData("multisig", "create", "--threshold", "0", "--signer", "11111111111111111111111111111111", "-k", "/nonexistent.json")]
    [InlineData("multisig", "create", "--threshold", "1", "-k", "/nonexistent.json")]
    [InlineData("multisig", "propose", "not-a-key", "--to", "11111111111111111111111111111111", "--amount", "1", "-k", "/nonexistent.json")]
    [InlineData("multisig", "show", "11111111111111111111111111111111", "--url", "http://127.0.0.1:1")]
    public void Malformed_multisig_invocations_get_one_error_line_and_a_nonzero_exit(params string[] args)
    {
        CliRunner.Outcome outcome = CliRunner.Run(args);
        Assert.NotEqual(ExitCodes.Ok, outcome.ExitCode);
        Assert.NotEqual(ExitCodes.Internal, outcome.ExitCode);
        SignatureCommandTests.AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", outcome.Stderr);
    }
}
