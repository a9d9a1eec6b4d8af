using System.CommandLine;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Client;

namespace Fast.Node.Cli;

/// <summary>
/// Read-only client commands for looking at the chain: `fast account PUBKEY`, `fast block SLOT`,
/// `fast confirm SIGNATURE`. Each checks its argument before any call (bad input exits 2 with one
/// line), asks the node with the config's URL and commitment unless flags say otherwise, and prints
/// text from <see cref="ChainText"/> or, with --json, the node's JSON. Not found exits 1; a node that
/// does not answer exits 3.
/// </summary>
public static class InspectCommands
{
    public static Command Account(CliIO io)
    {
        Argument<string> address = new("PUBKEY") { Description = "The account's public key (base58 or hex) or a keypair file" };
        Option<string> url = ClientOptions.Url(io);
        Option<string> commitment = ClientOptions.Commitment(io);
        Option<bool> json = new("--json") { Description = "Print a JSON object (data as base64)" };
        Command command = new("account", "Show an account: lamports, owner, executable, data length and data") { address, url, commitment, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Pubkey key = ClientCommands.ResolveAccount(parse.GetValue(address)!);
            using RpcClient rpc = new(parse.GetValue(url)!);
            JsonElement result = await rpc.CallAsync("getAccountInfo", w =>
            {
                w.WriteStringValue(key.ToString());
                w.WriteStartObject();
                w.WriteString("commitment", parse.GetValue(commitment));
                w.WriteString("encoding", "base64");
                w.WriteEndObject();
            }).ConfigureAwait(false);
            AccountView? account = ChainText.ReadAccount(result, out ulong contextSlot);
            if (account is null) throw new CliException($"account {key} not found (slot {contextSlot}, {parse.GetValue(commitment)})", ExitCodes.Rejected);
            io.Out.Write(parse.GetValue(json) ? ChainText.AccountJson(key, account, contextSlot) + "\n" : ChainText.AccountText(key, account));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Block(CliIO io)
    {
        Argument<string> slot = new("SLOT") { Description = "The slot number" };
        Option<string> url = ClientOptions.Url(io);
        Option<string> commitment = new Option<string>("--commitment")
        {
            Description = "confirmed or finalized (getBlock does not serve processed; default: the config's commitment if it is one of these, else confirmed)",
            DefaultValueFactory = _ => io.Config.EffectiveCommitment == "finalized" ? "finalized" : "confirmed",
        }.AcceptOnlyFromAmong("confirmed", "finalized");
        Option<bool> json = new("--json") { Description = "Print the node's getBlock JSON (encoding json, full transaction details)" };
        Command command = new("block", "Show a block: hashes, parent, time, height and each transaction's outcome and fee") { slot, url, commitment, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            ulong number = ChainText.ParseSlot(parse.GetValue(slot)!);
            using RpcClient rpc = new(parse.GetValue(url)!);
            JsonElement block = await rpc.CallAsync("getBlock", w =>
            {
                w.WriteNumberValue(number);
                w.WriteStartObject();
                w.WriteString("commitment", parse.GetValue(commitment));
                w.WriteString("encoding", "json");
                w.WriteString("transactionDetails", "full");
                w.WriteNumber("maxSupportedTransactionVersion", 0);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            if (block.ValueKind != JsonValueKind.Object) throw new CliException($"block {number} not available", ExitCodes.Rejected);
            io.Out.Write(parse.GetValue(json) ? block.GetRawText() + "\n" : ChainText.BlockText(number, block));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Confirm(CliIO io)
    {
        Argument<string> signature = new("SIGNATURE") { Description = "A transaction signature (base58)" };
        Option<string> url = ClientOptions.Url(io);
        Option<bool> json = new("--json") { Description = "Print the node's status JSON" };
        Command command = new("confirm", "Show a transaction's status, error, slot and confirmations (exit 0: it landed and succeeded; 1: failed or not found)")
        {
            signature, url, json,
        };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Signature sig = ChainText.ParseSignature(parse.GetValue(signature)!);
            using RpcClient rpc = new(parse.GetValue(url)!);
            JsonElement result = await rpc.CallAsync("getSignatureStatuses", w =>
            {
                w.WriteStartArray();
                w.WriteStringValue(sig.ToString());
                w.WriteEndArray();
                w.WriteStartObject();
                w.WriteBoolean("searchTransactionHistory", true);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            JsonElement status = ChainText.FirstStatus(result);
            if (parse.GetValue(json)) io.Out.WriteLine(status.GetRawText());
            if (status.ValueKind != JsonValueKind.Object)
            {
                if (!parse.GetValue(json)) io.Out.WriteLine("Not found");
                return ExitCodes.Rejected;
            }
            if (!parse.GetValue(json)) io.Out.Write(ChainText.StatusText(status));
            return status.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.Null ? ExitCodes.Rejected : ExitCodes.Ok;
        }));
        return command;
    }
}
