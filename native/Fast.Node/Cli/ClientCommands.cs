using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Node.Bench;
using Fast.Node.Client;

namespace Fast.Node.Cli;

/// <summary>
/// Client commands against a node's JSON-RPC: `fast balance`, `fast transfer`, `fast tx`, `fast slot`.
/// A node that cannot be reached exits 3; a refused or failed transaction exits 1; bad input exits 2.
/// </summary>
public static class ClientCommands
{
    public const string DefaultUrl = CliConfig.DefaultUrl;

    public static Command Balance(CliIO io)
    {
        Argument<string> account = new("ACCOUNT") { Description = "A public key (base58 or hex) or a keypair file" };
        Option<string> url = ClientOptions.Url(io);
        Option<string> commitment = ClientOptions.Commitment(io);
        Option<bool> json = new("--json") { Description = "Print a JSON object" };
        Command command = new("balance", "Print an account's balance in lamports") { account, url, commitment, json };
        command.SetAction(parse => Run(() => BalanceAsync(io, parse.GetValue(account)!, parse.GetValue(url)!, parse.GetValue(commitment)!, parse.GetValue(json))));
        return command;
    }

    private static async Task<int> BalanceAsync(CliIO io, string accountText, string url, string commitment, bool json)
    {
        Pubkey address = ResolveAccount(accountText);
        using RpcClient rpc = new(url);
        ulong lamports = await rpc.GetBalanceAsync(address, commitment).ConfigureAwait(false);
        if (json) io.Out.WriteLine($$"""{"pubkey":"{{address}}","lamports":{{lamports}},"commitment":"{{commitment}}"}""");
        else io.Out.WriteLine(lamports);
        return ExitCodes.Ok;
    }

    public static Command Transfer(CliIO io)
    {
        Option<string> from = ClientOptions.Keypair(io, "--from", "The payer's keypair file");
        Option<string> to = new("--to") { Description = "The recipient's public key (base58 or hex)", Required = true };
        Option<long> amount = CliOptions.Integer("--amount", "Lamports to send", 0, 1, long.MaxValue);
        amount.Required = true;
        Option<string> url = ClientOptions.Url(io);
        Option<string?> wait = new Option<string?>("--wait") { Description = "Block until the transfer reaches this commitment: confirmed or finalized" }.AcceptOnlyFromAmong("confirmed", "finalized");
        Option<double> timeout = CliOptions.Double("--timeout", "Seconds to wait with --wait", 90, 1, 3600);
        Command command = new("transfer", "Send lamports; prints the transaction signature") { from, to, amount, url, wait, timeout };
        command.SetAction(parse => Run(() => TransferAsync(io, parse.GetValue(from)!, parse.GetValue(to)!, (ulong)parse.GetValue(amount), parse.GetValue(url)!, parse.GetValue(wait), parse.GetValue(timeout))));
        return command;
    }

    private static async Task<int> TransferAsync(CliIO io, string fromPath, string toText, ulong lamports, string url, string? wait, double timeoutSeconds)
    {
        Keypair payer = CliArgs.ReadKeypair(fromPath);
        Pubkey recipient = new(CliArgs.ParsePublicKey(toText, "--to"));
        using RpcClient rpc = new(url);
        (Hash blockhash, ulong lastValidHeight) = await rpc.GetLatestBlockhashAsync().ConfigureAwait(false);
        byte[] tx = SampleTransfers.Transfer(payer, recipient, lamports, blockhash);
        Signature signature = await rpc.SendTransactionAsync(tx).ConfigureAwait(false);
        io.Out.WriteLine(signature);
        io.Out.Flush();
        if (wait is null) return ExitCodes.Ok;
        return await WaitAsync(io, rpc, signature, wait, lastValidHeight, TimeSpan.FromSeconds(timeoutSeconds)).ConfigureAwait(false);
    }

    /// <summary>Polls until <paramref name="signature"/> reaches <paramref name="commitment"/>, fails, or can no longer land.</summary>
    private static async Task<int> WaitAsync(CliIO io, RpcClient rpc, Signature signature, string commitment, ulong lastValidHeight, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            ClientSignatureStatus? status = (await rpc.GetSignatureStatusesAsync([signature]).ConfigureAwait(false))[0];
            if (status is not null)
            {
                // Settle at the asked commitment first, success or failure, so what the caller reads next at
                // that commitment already reflects this transaction (a failed one still paid its fee).
                bool reached = commitment == "confirmed" ? status.ConfirmationStatus is "confirmed" or "finalized" : status.ConfirmationStatus == "finalized";
                if (reached)
                {
                    if (status.Error is not null) throw new CliException($"transaction failed in slot {status.Slot} ({status.ConfirmationStatus}): {status.Error}", ExitCodes.Rejected);
                    io.Err.WriteLine($"{status.ConfirmationStatus} in slot {status.Slot} after {clock.Elapsed.TotalSeconds:0.0} s");
                    return ExitCodes.Ok;
                }
            }
            else if (await rpc.GetBlockHeightAsync("finalized").ConfigureAwait(false) > lastValidHeight)
            {
                throw new CliException("the transaction expired: its blockhash is too old and it never landed", ExitCodes.Rejected);
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
        throw new CliException($"not {commitment} after {timeout.TotalSeconds:0} s", ExitCodes.Rejected);
    }

    public static Command Tx(CliIO io)
    {
        Argument<string> signature = new("SIGNATURE") { Description = "A transaction signature (base58)" };
        Option<string> url = ClientOptions.Url(io);
        Option<bool> json = new("--json") { Description = "Print the node's JSON" };
        Command command = new("tx", "Show a transaction's status, slot and fee") { signature, url, json };
        command.SetAction(parse => Run(() => TxAsync(io, parse.GetValue(signature)!, parse.GetValue(url)!, parse.GetValue(json))));
        return command;
    }

    private static async Task<int> TxAsync(CliIO io, string signatureText, string url, bool json)
    {
        if (!Signature.TryParse(signatureText.Trim(), out Signature signature)) throw new CliException($"'{signatureText}' is not a base58 signature of 64 bytes");
        using RpcClient rpc = new(url);
        ClientSignatureStatus? status = (await rpc.GetSignatureStatusesAsync([signature]).ConfigureAwait(false))[0];
        JsonElement record = await rpc.CallAsync("getTransaction", w =>
        {
            w.WriteStringValue(signature.ToString());
            w.WriteStartObject();
            w.WriteString("commitment", "confirmed");
            w.WriteString("encoding", "json");
            w.WriteEndObject();
        }).ConfigureAwait(false);
        if (status is null && record.ValueKind == JsonValueKind.Null)
        {
            io.Err.WriteLine("not found: the node has no record of this signature");
            return ExitCodes.Rejected;
        }
        if (json)
        {
            io.Out.WriteLine(record.ValueKind == JsonValueKind.Null ? "null" : record.GetRawText());
            return ExitCodes.Ok;
        }
        if (status is not null)
        {
            io.Out.WriteLine($"status:       {(status.Error is null ? "ok" : "failed: " + status.Error)}");
            io.Out.WriteLine($"slot:         {status.Slot}");
            io.Out.WriteLine($"commitment:   {status.ConfirmationStatus}");
        }
        if (record.ValueKind == JsonValueKind.Object)
        {
            JsonElement meta = record.GetProperty("meta");
            io.Out.WriteLine($"fee:          {meta.GetProperty("fee").GetUInt64()} lamports");
            JsonElement keys = record.GetProperty("transaction").GetProperty("message").GetProperty("accountKeys");
            JsonElement pre = meta.GetProperty("preBalances"), post = meta.GetProperty("postBalances");
            for (int i = 0; i < keys.GetArrayLength() && i < pre.GetArrayLength() && i < post.GetArrayLength(); i++)
            {
                io.Out.WriteLine($"account {i}:    {keys[i].GetString()}  {pre[i].GetUInt64()} -> {post[i].GetUInt64()}");
            }
        }
        return ExitCodes.Ok;
    }

    public static Command Slot(CliIO io)
    {
        Option<string> url = ClientOptions.Url(io);
        Option<string> commitment = ClientOptions.Commitment(io);
        Command command = new("slot", "Print the node's current slot") { url, commitment };
        command.SetAction(parse => Run(async () =>
        {
            using RpcClient rpc = new(parse.GetValue(url)!);
            io.Out.WriteLine(await rpc.GetSlotAsync(parse.GetValue(commitment)!).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>An account given as a keypair file path or a public key.</summary>
    internal static Pubkey ResolveAccount(string text)
    {
        if (File.Exists(text)) return new Pubkey(CliArgs.ReadKeypair(text).PublicKey);
        return new Pubkey(CliArgs.ParsePublicKey(text, "ACCOUNT"));
    }

    /// <summary>Runs an async command body, mapping client failures to one-line errors and exit codes.</summary>
    internal static int Run(Func<Task<int>> body)
    {
        try
        {
            return body().GetAwaiter().GetResult();
        }
        catch (RpcClientException e)
        {
            throw new CliException(e.Message, e.InvalidUrl ? ExitCodes.BadInput : e.Unreachable ? ExitCodes.Failure : ExitCodes.Rejected);
        }
    }
}
