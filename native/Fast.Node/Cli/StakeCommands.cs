using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;
using static Fast.Node.Cli.TokenCommands;

namespace Fast.Node.Cli;

/// <summary>
/// `fast stake create|delegate|deactivate|withdraw|show` and `fast validators`: the stake program
/// (docs/programs.md "Stake program") from the command line, against a node's JSON-RPC. `create` makes
/// a stake account (a fresh keypair signs its CreateAccount) with the keypair as its authority and,
/// with --vote, delegates it in the same transaction; `show` decodes the account and asks the node for
/// its activation (getStakeActivation) and last reward; `validators` lists getVoteAccounts. Exit codes
/// as every client command: 1 refused, 2 bad input, 3 node unreachable. Cold path (a CLI).
/// </summary>
public static class StakeCommands
{
    public static Command Build(CliIO io)
    {
        Command stake = new("stake", "Create, delegate, deactivate, withdraw and show stake accounts");
        stake.Subcommands.Add(Create(io));
        stake.Subcommands.Add(Delegate(io));
        stake.Subcommands.Add(Deactivate(io));
        stake.Subcommands.Add(Withdraw(io));
        stake.Subcommands.Add(Show(io));
        return stake;
    }

    private static Command Create(CliIO io)
    {
        Option<string> keypair = KeypairOption(io, "the stake's authority");
        Option<string> amount = new("--amount") { Description = "Lamports to stake (on top of the account's rent-exempt reserve)", Required = true };
        Option<string?> vote = new("--vote") { Description = "Delegate at once to this vote account" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("create", "Create a stake account (and delegate it with --vote); prints its address") { keypair, amount, vote, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            ulong lamports = ParseAmount(parse.GetValue(amount)!, "--amount");
            Pubkey? voteKey = parse.GetValue(vote) is string v ? RequiredKey(v, "--vote") : null;
            var account = Keypair.Generate();
            using RpcClient rpc = new(parse.GetValue(url)!);
            ulong rent = await RentAsync(rpc, StakeState.Length).ConfigureAwait(false);
            List<Instruction> instructions =
            [
                StakeInstruction.CreateStakeAccount(Key(payer), Key(account), checked(rent + lamports)),
                StakeInstruction.Initialize(Key(account), Key(payer)),
            ];
            if (voteKey is Pubkey target) instructions.Add(StakeInstruction.Delegate(Key(account), target, Key(payer)));
            Signature signature = await SendAsync(rpc, payer, [account], [.. instructions]).ConfigureAwait(false);
            if (parse.GetValue(json)) io.Out.WriteLine($$"""{"stake":"{{Key(account)}}","signature":"{{signature}}"}""");
            else io.Out.WriteLine(Key(account));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delegate(CliIO io)
    {
        Argument<string> stake = new("STAKE") { Description = "The stake account's address" };
        Argument<string> vote = new("VOTE") { Description = "The vote account to delegate to" };
        Option<string> keypair = KeypairOption(io, "the stake's authority");
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("delegate", "Delegate a stake account to a vote account (active from the next epoch, within the warm-up rate)") { stake, vote, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey stakeKey = RequiredKey(parse.GetValue(stake)!, "STAKE"), voteKey = RequiredKey(parse.GetValue(vote)!, "VOTE");
            using RpcClient rpc = new(parse.GetValue(url)!);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, payer, [], StakeInstruction.Delegate(stakeKey, voteKey, Key(payer))).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Deactivate(CliIO io)
    {
        Argument<string> stake = new("STAKE") { Description = "The stake account's address" };
        Option<string> keypair = KeypairOption(io, "the stake's authority");
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("deactivate", "Deactivate a stake (inactive after its cool-down, from the next epoch on)") { stake, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey stakeKey = RequiredKey(parse.GetValue(stake)!, "STAKE");
            using RpcClient rpc = new(parse.GetValue(url)!);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, payer, [], StakeInstruction.Deactivate(stakeKey, Key(payer))).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Withdraw(CliIO io)
    {
        Argument<string> stake = new("STAKE") { Description = "The stake account's address" };
        Option<string> keypair = KeypairOption(io, "the stake's authority");
        Option<string> amount = new("--amount") { Description = "Lamports to withdraw (only what is inactive; all of them closes the account)", Required = true };
        Option<string?> to = new("--to") { Description = "Where the lamports go (default: the keypair's key)" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("withdraw", "Withdraw inactive lamports from a stake account") { stake, keypair, amount, to, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey stakeKey = RequiredKey(parse.GetValue(stake)!, "STAKE");
            ulong lamports = ParseAmount(parse.GetValue(amount)!, "--amount");
            Pubkey destination = parse.GetValue(to) is string t ? RequiredKey(t, "--to") : Key(payer);
            using RpcClient rpc = new(parse.GetValue(url)!);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, payer, [], StakeInstruction.Withdraw(stakeKey, destination, Key(payer), lamports)).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CliIO io)
    {
        Argument<string> stake = new("STAKE") { Description = "The stake account's address" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("show", "Print a stake account: authority, delegation, activation and last reward") { stake, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Pubkey stakeKey = RequiredKey(parse.GetValue(stake)!, "STAKE");
            using RpcClient rpc = new(parse.GetValue(url)!);
            (Pubkey Owner, byte[] Data)? account = await ReadAccountAsync(rpc, stakeKey).ConfigureAwait(false);
            if (account is not (Pubkey owner, byte[] data) || owner != StakeProgram.Id || !StakeState.TryRead(data, out StakeState state))
            {
                throw new CliException($"{stakeKey} is not a stake account", ExitCodes.Rejected);
            }
            JsonElement activation = await rpc.CallAsync("getStakeActivation", w =>
            {
                w.WriteStringValue(stakeKey.ToString());
                w.WriteStartObject();
                w.WriteString("commitment", "confirmed");
                w.WriteEndObject();
            }).ConfigureAwait(false);
            string status = activation.GetProperty("state").GetString() ?? "unknown";
            ulong active = activation.GetProperty("active").GetUInt64(), inactive = activation.GetProperty("inactive").GetUInt64();
            string epochText(ulong e) => e == StakeState.NoEpoch ? "none" : e.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine($$"""{"stake":"{{stakeKey}}","authority":"{{state.Authority}}","delegated":{{(state.IsDelegated ? "true" : "false")}},"voteAccount":{{(state.IsDelegated ? $"\"{state.VoteAccount}\"" : "null")}},"stakeLamports":{{state.Stake}},"activationEpoch":{{(state.ActivationEpoch == StakeState.NoEpoch ? "null" : state.ActivationEpoch.ToString(CultureInfo.InvariantCulture))}},"deactivationEpoch":{{(state.DeactivationEpoch == StakeState.NoEpoch ? "null" : state.DeactivationEpoch.ToString(CultureInfo.InvariantCulture))}},"rentExemptReserve":{{state.RentExemptReserve}},"state":"{{status}}","active":{{active}},"inactive":{{inactive}},"lastRewardEpoch":{{(state.LastRewardEpoch == StakeState.NoEpoch ? "null" : state.LastRewardEpoch.ToString(CultureInfo.InvariantCulture))}},"lastRewardLamports":{{state.LastRewardLamports}}}""");
            }
            else
            {
                io.Out.WriteLine($"stake account:      {stakeKey}");
                io.Out.WriteLine($"authority:          {state.Authority}");
                io.Out.WriteLine($"delegated to:       {(state.IsDelegated ? state.VoteAccount.ToString() : "-")}");
                io.Out.WriteLine($"stake (lamports):   {state.Stake}");
                io.Out.WriteLine($"activation epoch:   {epochText(state.ActivationEpoch)}");
                io.Out.WriteLine($"deactivation epoch: {epochText(state.DeactivationEpoch)}");
                io.Out.WriteLine($"state:              {status} (active {active}, inactive {inactive})");
                io.Out.WriteLine($"last reward:        {(state.LastRewardEpoch == StakeState.NoEpoch ? "-" : $"{state.LastRewardLamports} lamports for epoch {state.LastRewardEpoch}")}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>`fast validators`: every vote account with stake delegated to it, from getVoteAccounts.</summary>
    public static Command Validators(CliIO io)
    {
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("validators", "List the validators: vote account, identity, active stake, commission, credits this epoch, delinquency") { url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            using RpcClient rpc = new(parse.GetValue(url)!);
            JsonElement result = await rpc.CallAsync("getVoteAccounts", w =>
            {
                w.WriteStartObject();
                w.WriteString("commitment", "confirmed");
                w.WriteEndObject();
            }).ConfigureAwait(false);
            List<(string Vote, string Node, ulong Stake, long Commission, ulong Credits, bool Delinquent)> rows = [];
            foreach ((string list, bool delinquent) in new[] { ("current", false), ("delinquent", true) })
            {
                foreach (JsonElement v in result.GetProperty(list).EnumerateArray())
                {
                    ulong credits = 0;
                    foreach (JsonElement entry in v.GetProperty("epochCredits").EnumerateArray()) credits = entry[1].GetUInt64();
                    rows.Add((v.GetProperty("votePubkey").GetString() ?? "", v.GetProperty("nodePubkey").GetString() ?? "", v.GetProperty("activatedStake").GetUInt64(),
                        v.GetProperty("commission").GetInt64(), credits, delinquent));
                }
            }
            if (parse.GetValue(json))
            {
                io.Out.WriteLine("[" + string.Join(",", rows.Select(r =>
                    $$"""{"votePubkey":"{{r.Vote}}","identity":"{{r.Node}}","activatedStake":{{r.Stake}},"commission":{{r.Commission}},"credits":{{r.Credits}},"delinquent":{{(r.Delinquent ? "true" : "false")}}}""")) + "]");
                return ExitCodes.Ok;
            }
            io.Out.WriteLine($"{"identity",-44} {"vote account",-44} {"active stake",20} {"commission",10} {"credits",8} delinquent");
            foreach ((string Vote, string Node, ulong Stake, long Commission, ulong Credits, bool Delinquent) r in rows) io.Out.WriteLine($"{r.Node,-44} {r.Vote,-44} {r.Stake,20} {r.Commission + "%",10} {r.Credits,8} {(r.Delinquent ? "yes" : "no")}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
