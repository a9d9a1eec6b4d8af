using System.CommandLine;
using System.Text;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;

namespace Fast.Node.Cli;

/// <summary>
/// `fast multisig create|propose|approve|execute|cancel|show`: M-of-N accounts of the multisig program
/// (docs/programs.md) from the command line. A proposal pays lamports out of the vault, or tokens
/// out of a token account the vault owns; execute reads the proposal's stored instructions back from
/// the node to list their accounts. Exit codes as every client command. Cold path (a CLI).
/// </summary>
public static class MultisigCommands
{
    public static Command Build(CliIO io)
    {
        Command multisig = new("multisig", "M-of-N shared accounts: create, propose a payout, approve, execute, cancel, show");
        multisig.Subcommands.Add(Create(io));
        multisig.Subcommands.Add(Propose(io));
        multisig.Subcommands.Add(Approve(io));
        multisig.Subcommands.Add(Execute(io));
        multisig.Subcommands.Add(Cancel(io));
        multisig.Subcommands.Add(Show(io));
        return multisig;
    }

    private static Command Create(CliIO io)
    {
        Option<string> keypair = TokenCommands.KeypairOption(io, "funder of the new account");
        Option<long> threshold = CliOptions.Integer("--threshold", "Approvals needed (M)", 1, 1, MultisigView.MaxSigners);
        threshold.Required = true;
        Option<string[]> signers = new("--signer") { Description = $"A member's public key (repeat, 1 to {MultisigView.MaxSigners})", Required = true, AllowMultipleArgumentsPerToken = true };
        Option<long> lifetime = CliOptions.Integer("--lifetime-slots", "Slots a proposal stays open", 216_000, 1, long.MaxValue);
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("create", "Create an M-of-N multisig; prints its address (and, with --json, its vault)") { keypair, threshold, signers, lifetime, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey[] members = [.. parse.GetValue(signers)!.Select(s => TokenCommands.RequiredKey(s, "--signer"))];
            if (members.Length > MultisigView.MaxSigners) throw new CliException($"at most {MultisigView.MaxSigners} --signer");
            var account = Keypair.Generate();
            Pubkey address = TokenCommands.Key(account);
            using RpcClient rpc = new(parse.GetValue(url)!);
            ulong rent = await TokenCommands.RentAsync(rpc, MultisigView.Length).ConfigureAwait(false);
            Signature signature = await TokenCommands.SendAsync(rpc, payer, [account],
                MultisigInstruction.CreateMultisigAccount(TokenCommands.Key(payer), address, rent),
                MultisigInstruction.Create(address, (byte)parse.GetValue(threshold), members, (ulong)parse.GetValue(lifetime))).ConfigureAwait(false);
            if (parse.GetValue(json)) io.Out.WriteLine($$"""{"multisig":"{{address}}","vault":"{{MultisigVault.Derive(address)}}","signature":"{{signature}}"}""");
            else io.Out.WriteLine(address);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Propose(CliIO io)
    {
        Argument<string> multisig = new("MULTISIG") { Description = "The multisig's address" };
        Option<string> keypair = TokenCommands.KeypairOption(io, "proposer (a member)");
        Option<string> to = new("--to") { Description = "The recipient: an account for lamports, a token account with --token-source", Required = true };
        Option<string> amount = new("--amount") { Description = "Lamports, or token base units with --token-source (u64)", Required = true };
        Option<string?> tokenSource = new("--token-source") { Description = "Pay tokens from this token account (owned by the vault) instead of lamports" };
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("propose", "Propose a payout from the vault; prints the proposal's address") { multisig, keypair, to, amount, tokenSource, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair proposer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey multisigKey = TokenCommands.RequiredKey(parse.GetValue(multisig)!, "MULTISIG");
            Pubkey recipient = TokenCommands.RequiredKey(parse.GetValue(to)!, "--to");
            ulong units = TokenCommands.ParseAmount(parse.GetValue(amount)!, "--amount");
            Pubkey vault = MultisigVault.Derive(multisigKey);
            string? source = parse.GetValue(tokenSource);
            Instruction payout = source is null
                ? SystemInstruction.Transfer(vault, recipient, units)
                : TokenInstruction.Transfer(TokenCommands.RequiredKey(source, "--token-source"), recipient, vault, units);
            var proposal = Keypair.Generate();
            Pubkey address = TokenCommands.Key(proposal);
            using RpcClient rpc = new(parse.GetValue(url)!);
            ulong rent = await TokenCommands.RentAsync(rpc, MultisigInstruction.ProposalLength([payout])).ConfigureAwait(false);
            Signature signature = await TokenCommands.SendAsync(rpc, proposer, [proposal],
                MultisigInstruction.CreateProposalAccount(TokenCommands.Key(proposer), address, rent, [payout]),
                MultisigInstruction.Propose(multisigKey, address, TokenCommands.Key(proposer), [payout])).ConfigureAwait(false);
            if (parse.GetValue(json)) io.Out.WriteLine($$"""{"proposal":"{{address}}","signature":"{{signature}}"}""");
            else io.Out.WriteLine(address);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Approve(CliIO io)
    {
        Argument<string> multisig = new("MULTISIG") { Description = "The multisig's address" };
        Argument<string> proposal = new("PROPOSAL") { Description = "The proposal's address" };
        Option<string> keypair = TokenCommands.KeypairOption(io, "approving member");
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("approve", "Approve a proposal (once per member)") { multisig, proposal, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair member = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Instruction approve = MultisigInstruction.Approve(TokenCommands.RequiredKey(parse.GetValue(multisig)!, "MULTISIG"), TokenCommands.RequiredKey(parse.GetValue(proposal)!, "PROPOSAL"), TokenCommands.Key(member));
            using RpcClient rpc = new(parse.GetValue(url)!);
            TokenCommands.PrintSent(io, parse.GetValue(json), await TokenCommands.SendAsync(rpc, member, [], approve).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Execute(CliIO io)
    {
        Argument<string> multisig = new("MULTISIG") { Description = "The multisig's address" };
        Argument<string> proposal = new("PROPOSAL") { Description = "The proposal's address" };
        Option<string> keypair = TokenCommands.KeypairOption(io, "sender (anyone may execute an approved proposal)");
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("execute", "Run an approved proposal's instructions with the vault as signer") { multisig, proposal, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey multisigKey = TokenCommands.RequiredKey(parse.GetValue(multisig)!, "MULTISIG");
            Pubkey proposalKey = TokenCommands.RequiredKey(parse.GetValue(proposal)!, "PROPOSAL");
            using RpcClient rpc = new(parse.GetValue(url)!);
            byte[] data = await ReadOwnedAsync(rpc, proposalKey, "proposal").ConfigureAwait(false);
            if (!ProposalHeader.TryRead(data, out _)) throw new CliException($"{proposalKey} is not a proposal", ExitCodes.Rejected);
            List<Instruction> instructions = StoredInstructions(data.AsSpan(ProposalHeader.Length), proposalKey);
            TokenCommands.PrintSent(io, parse.GetValue(json), await TokenCommands.SendAsync(rpc, payer, [], MultisigInstruction.Execute(multisigKey, proposalKey, instructions)).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Cancel(CliIO io)
    {
        Argument<string> proposal = new("PROPOSAL") { Description = "The proposal's address" };
        Option<string> keypair = TokenCommands.KeypairOption(io, "proposer");
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("cancel", "Cancel a proposal (its proposer only)") { proposal, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair proposer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Instruction cancel = MultisigInstruction.Cancel(TokenCommands.RequiredKey(parse.GetValue(proposal)!, "PROPOSAL"), TokenCommands.Key(proposer));
            using RpcClient rpc = new(parse.GetValue(url)!);
            TokenCommands.PrintSent(io, parse.GetValue(json), await TokenCommands.SendAsync(rpc, proposer, [], cancel).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CliIO io)
    {
        Argument<string> address = new("ADDRESS") { Description = "A multisig or a proposal" };
        Option<string> url = TokenCommands.UrlOption(io);
        Option<bool> json = TokenCommands.JsonOption();
        Command command = new("show", "Show a multisig (members, threshold, vault) or a proposal (status, approvals, expiry)") { address, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Pubkey key = TokenCommands.RequiredKey(parse.GetValue(address)!, "ADDRESS");
            using RpcClient rpc = new(parse.GetValue(url)!);
            byte[] data = await ReadOwnedAsync(rpc, key, "multisig or proposal").ConfigureAwait(false);
            bool asJson = parse.GetValue(json);
            if (Summarize(data) is MultisigSummary multisig)
            {
                ulong vaultLamports = await rpc.GetBalanceAsync(multisig.Vault).ConfigureAwait(false);
                if (asJson)
                {
                    io.Out.WriteLine($$"""{"multisig":"{{key}}","threshold":{{multisig.Threshold}},"signers":[{{string.Join(",", multisig.Signers.Select(m => $"\"{m}\""))}}],"proposalLifetimeSlots":{{multisig.LifetimeSlots}},"vault":"{{multisig.Vault}}","vaultLamports":{{vaultLamports}}}""");
                }
                else
                {
                    StringBuilder text = new();
                    text.AppendLine($"multisig:   {key} ({multisig.Threshold} of {multisig.Signers.Length})");
                    foreach (string member in multisig.Signers) text.AppendLine($"signer:     {member}");
                    text.AppendLine($"vault:      {multisig.Vault} ({vaultLamports} lamports)");
                    text.Append($"lifetime:   {multisig.LifetimeSlots} slots per proposal");
                    io.Out.WriteLine(text.ToString());
                }
                return ExitCodes.Ok;
            }
            if (ProposalHeader.TryRead(data, out ProposalHeader header))
            {
                string status = header.Status.ToString().ToLowerInvariant();
                if (asJson)
                {
                    io.Out.WriteLine($$"""{"proposal":"{{key}}","multisig":"{{header.Multisig}}","proposer":"{{header.Proposer}}","status":"{{status}}","approvals":{{header.ApprovalCount}},"approvalBitmap":{{header.Approvals}},"createdSlot":{{header.CreatedSlot}},"expiresAtSlot":{{header.ExpiresAtSlot}}}""");
                }
                else
                {
                    io.Out.WriteLine($"proposal:   {key}\nmultisig:   {header.Multisig}\nproposer:   {header.Proposer}\nstatus:     {status}\napprovals:  {header.ApprovalCount}\nexpires at: slot {header.ExpiresAtSlot}");
                }
                return ExitCodes.Ok;
            }
            throw new CliException($"{key} is neither a multisig nor a proposal", ExitCodes.Rejected);
        }));
        return command;
    }

    /// <summary>What `show` prints of a multisig.</summary>
    private sealed record MultisigSummary(byte Threshold, string[] Signers, ulong LifetimeSlots, Pubkey Vault);

    /// <summary>A multisig account's fields as plain values (the view is a ref struct, which cannot live across an await), or null.</summary>
    private static MultisigSummary? Summarize(byte[] data)
    {
        if (!MultisigView.TryRead(data, out MultisigView multisig)) return null;
        string[] signers = new string[multisig.SignerCount];
        for (int i = 0; i < signers.Length; i++) signers[i] = Base58.Encode(multisig.Signer(i));
        return new MultisigSummary(multisig.Threshold, signers, multisig.ProposalLifetimeSlots, multisig.Vault);
    }

    /// <summary>The data of an account the multisig program owns; a missing account or another owner's is refused.</summary>
    private static async Task<byte[]> ReadOwnedAsync(RpcClient rpc, Pubkey address, string what)
    {
        (Pubkey Owner, byte[] Data)? account = await TokenCommands.ReadAccountAsync(rpc, address).ConfigureAwait(false);
        if (account is null || account.Value.Owner != MultisigProgram.Id) throw new CliException($"{address} is not a {what} of the multisig program", ExitCodes.Rejected);
        return account.Value.Data;
    }

    /// <summary>A proposal's stored instruction list as client instructions.</summary>
    private static List<Instruction> StoredInstructions(ReadOnlySpan<byte> list, Pubkey proposal)
    {
        if (!InnerInstructionList.Validate(list, out int count).IsOk) throw new CliException($"{proposal}: malformed instruction list", ExitCodes.Rejected);
        List<Instruction> instructions = new(count);
        int offset = 1;
        for (int i = 0; i < count; i++)
        {
            InnerInstructionList.TryRead(list, ref offset, out InnerInstruction inner);
            var metas = new AccountMeta[inner.AccountCount];
            for (int j = 0; j < metas.Length; j++) metas[j] = new AccountMeta(new Pubkey(inner.AccountKey(j)), inner.IsSigner(j), inner.IsWritable(j));
            instructions.Add(new Instruction(new Pubkey(inner.ProgramId), metas, inner.Data.ToArray()));
        }
        return instructions;
    }
}
