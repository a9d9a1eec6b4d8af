using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fast.Core.Primitives;
using Fast.Core.Transactions;
using Fast.Crypto;
using Fast.Exec.Programs;
using Fast.Node.Client;

namespace Fast.Node.Cli;

/// <summary>
/// `fast token create-mint|create-account|mint|transfer|burn|balance|supply`: the token program
/// (docs/programs.md) from the command line, against a node's JSON-RPC. Commands that send print
/// the transaction's signature (and, with --json, the new account's address); reads decode the
/// account's data. Exit codes as every client command: 1 refused, 2 bad input, 3 node unreachable.
/// Cold path (a CLI).
/// </summary>
public static class TokenCommands
{
    public static Command Build(CliIO io)
    {
        Command token = new("token", "Create mints and token accounts, mint, transfer, burn, and read balances and supply");
        token.Subcommands.Add(CreateMint(io));
        token.Subcommands.Add(CreateAccount(io));
        token.Subcommands.Add(MintTo(io));
        token.Subcommands.Add(Transfer(io));
        token.Subcommands.Add(Burn(io));
        token.Subcommands.Add(Balance(io));
        token.Subcommands.Add(Supply(io));
        return token;
    }

    internal static Option<string> UrlOption(CliIO io) => ClientOptions.Url(io);

    internal static Option<string> KeypairOption(CliIO io, string role) => ClientOptions.Keypair(io, "--keypair", $"Keypair file of the fee payer and {role}", "-k");

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print a JSON object" };

    private static Command CreateMint(CliIO io)
    {
        Option<string> keypair = KeypairOption(io, "(by default) the mint authority");
        Option<string> maxSupply = new("--max-supply") { Description = "The cap on all tokens ever minted (u64, in base units)", Required = true };
        Option<long> decimals = CliOptions.Integer("--decimals", "Decimal places shown to users", 0, 0, 255);
        Option<string?> authority = new("--mint-authority") { Description = "Who may mint (default: the keypair's key)" };
        Option<string?> freeze = new("--freeze-authority") { Description = "Who may freeze accounts (default: nobody)" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("create-mint", "Create a mint with a supply cap; prints its address") { keypair, maxSupply, decimals, authority, freeze, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            ulong cap = ParseAmount(parse.GetValue(maxSupply)!, "--max-supply");
            Pubkey mintAuthority = OptionalKey(parse.GetValue(authority), "--mint-authority") ?? Key(payer);
            Pubkey? freezeAuthority = OptionalKey(parse.GetValue(freeze), "--freeze-authority");
            var mint = Keypair.Generate();
            using RpcClient rpc = new(parse.GetValue(url)!);
            ulong rent = await RentAsync(rpc, MintState.Length).ConfigureAwait(false);
            Signature signature = await SendAsync(rpc, payer, [mint],
                TokenInstruction.CreateMintAccount(Key(payer), Key(mint), rent),
                TokenInstruction.InitializeMint(Key(mint), mintAuthority, (byte)parse.GetValue(decimals), cap, freezeAuthority)).ConfigureAwait(false);
            PrintCreated(io, parse.GetValue(json), "mint", Key(mint), signature);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateAccount(CliIO io)
    {
        Argument<string> mint = new("MINT") { Description = "The mint's address" };
        Option<string> keypair = KeypairOption(io, "(by default) the account's owner");
        Option<string?> owner = new("--owner") { Description = "The account's owner (default: the keypair's key)" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("create-account", "Create a token account of a mint; prints its address") { mint, keypair, owner, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair payer = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey mintKey = RequiredKey(parse.GetValue(mint)!, "MINT");
            Pubkey ownerKey = OptionalKey(parse.GetValue(owner), "--owner") ?? Key(payer);
            var account = Keypair.Generate();
            using RpcClient rpc = new(parse.GetValue(url)!);
            ulong rent = await RentAsync(rpc, TokenAccountState.Length).ConfigureAwait(false);
            Signature signature = await SendAsync(rpc, payer, [account],
                TokenInstruction.CreateTokenAccount(Key(payer), Key(account), rent),
                TokenInstruction.InitializeAccount(Key(account), mintKey, ownerKey)).ConfigureAwait(false);
            PrintCreated(io, parse.GetValue(json), "account", Key(account), signature);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command MintTo(CliIO io)
    {
        Argument<string> mint = new("MINT") { Description = "The mint's address" };
        Argument<string> account = new("ACCOUNT") { Description = "The token account to credit" };
        Argument<string> amount = new("AMOUNT") { Description = "Base units to mint (u64)" };
        Option<string> keypair = KeypairOption(io, "the mint authority");
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("mint", "Mint tokens into an account (refused past the mint's cap)") { mint, account, amount, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair authority = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Instruction instruction = TokenInstruction.MintTo(RequiredKey(parse.GetValue(mint)!, "MINT"), RequiredKey(parse.GetValue(account)!, "ACCOUNT"), Key(authority), ParseAmount(parse.GetValue(amount)!, "AMOUNT"));
            using RpcClient rpc = new(parse.GetValue(url)!);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, authority, [], instruction).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Transfer(CliIO io)
    {
        Argument<string> source = new("SOURCE") { Description = "The token account to debit" };
        Argument<string> destination = new("DESTINATION") { Description = "The token account to credit (same mint)" };
        Argument<string> amount = new("AMOUNT") { Description = "Base units to move (u64)" };
        Option<string> keypair = KeypairOption(io, "the source's owner or delegate");
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("transfer", "Move tokens between two accounts of one mint") { source, destination, amount, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair owner = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Instruction instruction = TokenInstruction.Transfer(RequiredKey(parse.GetValue(source)!, "SOURCE"), RequiredKey(parse.GetValue(destination)!, "DESTINATION"), Key(owner), ParseAmount(parse.GetValue(amount)!, "AMOUNT"));
            using RpcClient rpc = new(parse.GetValue(url)!);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, owner, [], instruction).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Burn(CliIO io)
    {
        Argument<string> account = new("ACCOUNT") { Description = "The token account to debit" };
        Argument<string> amount = new("AMOUNT") { Description = "Base units to burn (u64)" };
        Option<string> keypair = KeypairOption(io, "the account's owner or delegate");
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("burn", "Destroy tokens (the mint's supply falls; its cap does not grow back)") { account, amount, keypair, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Keypair owner = CliArgs.ReadKeypair(parse.GetValue(keypair)!);
            Pubkey accountKey = RequiredKey(parse.GetValue(account)!, "ACCOUNT");
            ulong units = ParseAmount(parse.GetValue(amount)!, "AMOUNT");
            using RpcClient rpc = new(parse.GetValue(url)!);
            TokenAccountState state = await ReadTokenAccountAsync(rpc, accountKey).ConfigureAwait(false);
            PrintSent(io, parse.GetValue(json), await SendAsync(rpc, owner, [], TokenInstruction.Burn(accountKey, state.Mint, Key(owner), units)).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Balance(CliIO io)
    {
        Argument<string> account = new("ACCOUNT") { Description = "A token account's address" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("balance", "Print a token account's balance in base units") { account, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Pubkey accountKey = RequiredKey(parse.GetValue(account)!, "ACCOUNT");
            using RpcClient rpc = new(parse.GetValue(url)!);
            TokenAccountState state = await ReadTokenAccountAsync(rpc, accountKey).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine($$"""{"account":"{{accountKey}}","mint":"{{state.Mint}}","owner":"{{state.Owner}}","amount":{{state.Amount}},"frozen":{{(state.Frozen ? "true" : "false")}}}""");
            }
            else
            {
                io.Out.WriteLine(state.Amount);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Supply(CliIO io)
    {
        Argument<string> mint = new("MINT") { Description = "A mint's address" };
        Option<string> url = UrlOption(io);
        Option<bool> json = JsonOption();
        Command command = new("supply", "Print a mint's supply (minted minus burnt) in base units") { mint, url, json };
        command.SetAction(parse => ClientCommands.Run(async () =>
        {
            Pubkey mintKey = RequiredKey(parse.GetValue(mint)!, "MINT");
            using RpcClient rpc = new(parse.GetValue(url)!);
            byte[]? data = await AccountDataAsync(rpc, mintKey).ConfigureAwait(false);
            if (data is null || !MintState.TryRead(data, out MintState state)) throw new CliException($"{mintKey} is not a mint", ExitCodes.Rejected);
            if (parse.GetValue(json))
            {
                io.Out.WriteLine($$"""{"mint":"{{mintKey}}","supply":{{state.Supply}},"mintedTotal":{{state.MintedTotal}},"burntTotal":{{state.BurntTotal}},"maxSupply":{{state.MaxSupply}},"decimals":{{state.Decimals}}}""");
            }
            else
            {
                io.Out.WriteLine(state.Supply);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static Pubkey Key(Keypair keypair) => new(keypair.PublicKey);

    internal static Pubkey RequiredKey(string text, string what) => new(CliArgs.ParsePublicKey(text, what));

    private static Pubkey? OptionalKey(string? text, string what) => text is null ? null : RequiredKey(text, what);

    internal static ulong ParseAmount(string text, string what) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new CliException($"{what} '{text}' is not a whole number from 0 to {ulong.MaxValue}");

    internal static async Task<ulong> RentAsync(RpcClient rpc, int dataLength) =>
        (await rpc.CallAsync("getMinimumBalanceForRentExemption", w => w.WriteNumberValue(dataLength)).ConfigureAwait(false)).GetUInt64();

    /// <summary>Builds, signs (payer first, then <paramref name="cosigners"/>) and sends one transaction; returns its signature.</summary>
    internal static async Task<Signature> SendAsync(RpcClient rpc, Keypair payer, Keypair[] cosigners, params Instruction[] instructions)
    {
        (Hash blockhash, _) = await rpc.GetLatestBlockhashAsync().ConfigureAwait(false);
        TransactionBuilder builder = new(Key(payer), blockhash);
        foreach (Instruction instruction in instructions) builder.Add(instruction);
        byte[] transaction = builder.Sign([payer, .. cosigners]);
        return await rpc.SendTransactionAsync(transaction).ConfigureAwait(false);
    }

    /// <summary>The data of an account owned by the token program, [] for another owner's, null when it does not exist.</summary>
    private static async Task<byte[]?> AccountDataAsync(RpcClient rpc, Pubkey address)
    {
        (Pubkey Owner, byte[] Data)? account = await ReadAccountAsync(rpc, address).ConfigureAwait(false);
        if (account is null) return null;
        return account.Value.Owner == TokenProgram.Id ? account.Value.Data : [];
    }

    /// <summary>An account's owner and data (base64 from getAccountInfo), or null when it does not exist.</summary>
    internal static async Task<(Pubkey Owner, byte[] Data)?> ReadAccountAsync(RpcClient rpc, Pubkey address)
    {
        JsonElement result = await rpc.CallAsync("getAccountInfo", w =>
        {
            w.WriteStringValue(address.ToString());
            w.WriteStartObject();
            w.WriteString("encoding", "base64");
            w.WriteString("commitment", "confirmed");
            w.WriteEndObject();
        }).ConfigureAwait(false);
        JsonElement value = result.GetProperty("value");
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (!Pubkey.TryParse(value.GetProperty("owner").GetString(), out Pubkey owner)) throw new CliException($"getAccountInfo: malformed owner for {address}", ExitCodes.Failure);
        string? base64 = value.GetProperty("data")[0].GetString();
        try
        {
            return (owner, Convert.FromBase64String(base64 ?? ""));
        }
        catch (FormatException)
        {
            throw new CliException($"getAccountInfo: malformed data for {address}", ExitCodes.Failure);
        }
    }

    private static async Task<TokenAccountState> ReadTokenAccountAsync(RpcClient rpc, Pubkey address)
    {
        byte[]? data = await AccountDataAsync(rpc, address).ConfigureAwait(false);
        if (data is null || !TokenAccountState.TryRead(data, out TokenAccountState state)) throw new CliException($"{address} is not a token account", ExitCodes.Rejected);
        return state;
    }

    private static void PrintCreated(CliIO io, bool json, string what, Pubkey address, Signature signature)
    {
        if (json) io.Out.WriteLine($$"""{"{{what}}":"{{address}}","signature":"{{signature}}"}""");
        else io.Out.WriteLine(address);
    }

    internal static void PrintSent(CliIO io, bool json, Signature signature)
    {
        if (json) io.Out.WriteLine($$"""{"signature":"{{signature}}"}""");
        else io.Out.WriteLine(signature);
    }
}
