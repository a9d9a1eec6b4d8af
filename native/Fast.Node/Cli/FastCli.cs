using System.CommandLine;
using Fast.Node.Bench;

namespace Fast.Node.Cli;

/// <summary>
/// The `fast` command line: builds the command tree and runs one invocation with the given
/// output writers (so tests run commands in-process). Parse errors and command failures become a
/// single "error: ..." line on stderr and a non-zero exit code from <see cref="ExitCodes"/>.
/// </summary>
public static class FastCli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, configPath: null);

    /// <summary>Runs with the client defaults read from <paramref name="configPath"/> (null: <c>$HOME/.config/fast/cli.json</c>).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? configPath)
    {
        CliIO io = new(stdout, stderr, configPath);
        RootCommand root = BuildRoot(io);
        try
        {
            ParseResult parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                io.Error($"{OneLine(parse.Errors[0].Message)} (see '{CommandPath(parse)} --help')");
                return ExitCodes.BadInput;
            }
            int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            stdout.Flush();
            return code;
        }
        catch (CliException e)
        {
            io.Error(OneLine(e.Message));
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            io.Error("interrupted");
            return 130;
        }
        catch (Exception e)
        {
            // A bug, not bad input: still one line, never a stack trace on an operator's terminal.
            io.Error($"internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return ExitCodes.Internal;
        }
    }

    internal static RootCommand BuildRoot(CliIO io)
    {
        RootCommand root = new("Fast: a proof-of-history, stake-weighted BFT validator node.");
        foreach (Option option in root.Options)
        {
            if (option is VersionOption version) version.Action = new VersionAction(io);
        }
        root.Subcommands.Add(KeyCommands.Keygen(io));
        root.Subcommands.Add(KeyCommands.Pubkey(io));
        root.Subcommands.Add(SignatureCommands.Sign(io));
        root.Subcommands.Add(SignatureCommands.Verify(io));
        root.Subcommands.Add(GenesisCommand.Build(io));
        root.Subcommands.Add(ClientCommands.Balance(io));
        root.Subcommands.Add(ClientCommands.Transfer(io));
        root.Subcommands.Add(ClientCommands.Tx(io));
        root.Subcommands.Add(ClientCommands.Slot(io));
        root.Subcommands.Add(ConfigCommand.Build(io));
        root.Subcommands.Add(InspectCommands.Account(io));
        root.Subcommands.Add(InspectCommands.Block(io));
        root.Subcommands.Add(InspectCommands.Confirm(io));
        root.Subcommands.Add(AirdropCommand.Build(io));
        root.Subcommands.Add(TokenCommands.Build(io));
        root.Subcommands.Add(MultisigCommands.Build(io));
        root.Subcommands.Add(StakeCommands.Build(io));
        root.Subcommands.Add(StakeCommands.Validators(io));
        root.Subcommands.Add(BenchCommand.Build(io));
        root.Subcommands.Add(LoadGen.BenchTpsCommand.Build(io));
        root.Subcommands.Add(Devnet.DevnetCommand.Build(io));
        root.Subcommands.Add(Validator.ValidatorCommand.Build(io));
        return root;
    }

    private static string CommandPath(ParseResult parse)
    {
        List<string> names = [];
        for (System.CommandLine.Parsing.SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
        {
            if (r is System.CommandLine.Parsing.CommandResult c && c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        }
        names.Insert(0, "fast");
        return string.Join(' ', names);
    }

    private static string OneLine(string text)
    {
        string trimmed = text.Trim();
        int newline = trimmed.IndexOfAny(['\r', '\n']);
        return newline < 0 ? trimmed : trimmed[..newline];
    }
}
