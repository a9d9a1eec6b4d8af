using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Node.Client;

namespace Fast.Node.Cli;

/// <summary>
/// `fast airdrop AMOUNT [PUBKEY]`: asks the node's faucet (requestAirdrop; a validator started with
/// --rpc-faucet-keypair, as `fast devnet` does) for lamports, to PUBKEY or else the config's keypair,
/// and waits until the airdrop reaches the commitment (the config's, else confirmed). Prints the
/// signature; stderr says where it landed and the new balance. A refused airdrop (no faucet, over
/// the cap or the rate limit) or one that fails or never lands exits 1.
/// </summary>
public static class AirdropCommand
{
    public static Command Build(CliIO io)
    {
        Argument<string> amount = new("AMOUNT") { Description = "Lamports to request (the node caps each request: --rpc-faucet-max-lamports)" };
        Argument<string?> recipient = new("PUBKEY") { Description = "Who receives them: a public key or a keypair file (default: the config's keypair)", Arity = ArgumentArity.ZeroOrOne };
        Option<string> url = ClientOptions.Url(io);
        Option<string> keypair = ClientOptions.Keypair(io, "--keypair", "Keypair file whose public key receives the airdrop when PUBKEY is not given", "-k");
        Option<string> commitment = ClientOptions.Commitment(io);
        Option<double> timeout = CliOptions.Double("--timeout", "Seconds to wait for the airdrop to reach the commitment", 60, 1, 3600);
        Option<bool> json = new("--json") { Description = "Print a JSON object" };
        Command command = new("airdrop", "Request lamports from the node's faucet and wait until they land") { amount, recipient, url, keypair, commitment, timeout, json };
        command.SetAction(parse => ClientCommands.Run(() => RunAsync(io, parse.GetValue(amount)!, parse.GetValue(recipient), parse.GetValue(keypair)!, parse.GetValue(url)!,
            parse.GetValue(commitment)!, parse.GetValue(timeout), parse.GetValue(json))));
        return command;
    }

    private static async Task<int> RunAsync(CliIO io, string amountText, string? recipientText, string keypairPath, string url, string commitment, double timeoutSeconds, bool json)
    {
        ulong lamports = ChainText.ParseLamports(amountText);
        Pubkey to = recipientText is not null ? ClientCommands.ResolveAccount(recipientText) : new Pubkey(CliArgs.ReadKeypair(keypairPath).PublicKey);
        using RpcClient rpc = new(url);
        JsonElement answer = await rpc.CallAsync("requestAirdrop", w =>
        {
            w.WriteStringValue(to.ToString());
            w.WriteNumberValue(lamports);
        }).ConfigureAwait(false);
        if (!Signature.TryParse(answer.GetString(), out Signature signature)) throw new CliException("requestAirdrop: the node's answer is not a signature", ExitCodes.Failure);
        if (!json)
        {
            io.Out.WriteLine(signature);
            io.Out.Flush();
        }
        ClientSignatureStatus status = await WaitAsync(rpc, signature, commitment, TimeSpan.FromSeconds(timeoutSeconds)).ConfigureAwait(false);
        ulong balance = await rpc.GetBalanceAsync(to, commitment).ConfigureAwait(false);
        if (json)
        {
            io.Out.WriteLine($$"""{"signature":"{{signature}}","recipient":"{{to}}","lamports":{{lamports}},"slot":{{status.Slot}},"confirmationStatus":"{{status.ConfirmationStatus}}","balance":{{balance}}}""");
        }
        else
        {
            io.Err.WriteLine($"{status.ConfirmationStatus} in slot {status.Slot}; {to} now holds {balance} lamports");
        }
        return ExitCodes.Ok;
    }

    /// <summary>Polls until the airdrop reaches <paramref name="commitment"/> (or fails: exit 1), or the timeout passes (exit 1).</summary>
    private static async Task<ClientSignatureStatus> WaitAsync(RpcClient rpc, Signature signature, string commitment, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ClientSignatureStatus? status = (await rpc.GetSignatureStatusesAsync([signature]).ConfigureAwait(false))[0];
            if (status is not null && Reached(status.ConfirmationStatus, commitment))
            {
                if (status.Error is not null) throw new CliException($"the airdrop failed in slot {status.Slot}: {status.Error}", ExitCodes.Rejected);
                return status;
            }
            if (clock.Elapsed >= timeout) throw new CliException($"the airdrop {signature} was not {commitment} after {timeout.TotalSeconds:0} s", ExitCodes.Rejected);
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>processed &lt; confirmed &lt; finalized.</summary>
    public static bool Reached(string level, string wanted) => Rank(level) >= Rank(wanted);

    private static int Rank(string level) => level switch
    {
        "finalized" => 2,
        "confirmed" => 1,
        _ => 0,
    };
}
