using System.CommandLine;
using Fast.Crypto;

namespace Fast.Node.Cli;

/// <summary>`fast keygen` and `fast pubkey`: make a keypair file, and show the public key of one.</summary>
public static class KeyCommands
{
    public static Command Keygen(CliIO io)
    {
        Option<string?> output = new("--output", "-o") { Description = $"Where to write the keypair file (default {KeypairFile.DefaultPath})" };
        Option<bool> force = new("--force") { Description = "Overwrite an existing file" };
        Command command = new("keygen", "Generate a secp256k1 Schnorr keypair file (mode 0600) and print its public key in base58") { output, force };
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(output);
            if (path is null)
            {
                path = KeypairFile.DefaultPath;
                CreatePrivateDirectory(Path.GetDirectoryName(path)!);
            }
            if (path.Length == 0) throw new CliException("--output must not be empty");

            var keypair = Keypair.Generate();
            KeypairFileError error = KeypairFile.TryWrite(path, keypair, parse.GetValue(force), out string message);
            if (error != KeypairFileError.None)
            {
                throw new CliException(message, error is KeypairFileError.AccessDenied or KeypairFileError.IoFailure ? ExitCodes.Failure : ExitCodes.BadInput);
            }
            io.Err.WriteLine($"Wrote keypair to {path}");
            io.Out.WriteLine(Base58.Encode(keypair.PublicKey));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Pubkey(CliIO io)
    {
        Argument<string> file = new("FILE") { Description = "A keypair file" };
        Command command = new("pubkey", "Print the public key (base58) of a keypair file") { file };
        command.SetAction(parse =>
        {
            Keypair keypair = CliArgs.ReadKeypair(parse.GetValue(file)!);
            io.Out.WriteLine(Base58.Encode(keypair.PublicKey));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void CreatePrivateDirectory(string directory)
    {
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create {directory}: {e.Message}", ExitCodes.Failure);
        }
    }
}
