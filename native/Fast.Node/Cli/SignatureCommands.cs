using System.CommandLine;
using Fast.Crypto;

namespace Fast.Node.Cli;

/// <summary>`fast sign` and `fast verify`: BIP-340 Schnorr signatures over arbitrary hex messages.</summary>
public static class SignatureCommands
{
    public static Command Sign(CliIO io)
    {
        Option<string> keypairPath = new("--keypair", "-k") { Description = "The signer's keypair file", Required = true };
        Option<string> message = new("--message", "-m") { Description = "The message as hex ('' for empty)", Required = true };
        Command command = new("sign", "Sign a message; prints the 64-byte signature in hex") { keypairPath, message };
        command.SetAction(parse =>
        {
            byte[] bytes = CliArgs.ParseHex(parse.GetValue(message)!, "--message");
            Keypair keypair = CliArgs.ReadKeypair(parse.GetValue(keypairPath)!);
            byte[] signature = new byte[Schnorr.SignatureSize];
            keypair.Sign(bytes, signature);
            io.Out.WriteLine(Hex.Encode(signature));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Verify(CliIO io)
    {
        Option<string> pubkey = new("--pubkey", "-p") { Description = "The signer's public key (hex or base58)", Required = true };
        Option<string> message = new("--message", "-m") { Description = "The message as hex ('' for empty)", Required = true };
        Option<string> signature = new("--signature", "-s") { Description = "The 64-byte signature as hex", Required = true };
        Command command = new("verify", "Verify a signature: exit 0 valid, 1 invalid, 2 malformed input") { pubkey, message, signature };
        command.SetAction(parse =>
        {
            byte[] key = CliArgs.ParsePublicKey(parse.GetValue(pubkey)!);
            byte[] bytes = CliArgs.ParseHex(parse.GetValue(message)!, "--message");
            byte[] sig = CliArgs.ParseHex(parse.GetValue(signature)!, "--signature");
            if (sig.Length != Schnorr.SignatureSize)
            {
                throw new CliException($"--signature is {sig.Length} bytes, expected {Schnorr.SignatureSize}");
            }
            if (!Schnorr.IsValidPublicKey(key))
            {
                throw new CliException("--pubkey is not a point on secp256k1");
            }
            if (!Schnorr.Verify(key, bytes, sig))
            {
                io.Err.WriteLine("invalid: the signature does not match this public key and message");
                return ExitCodes.Rejected;
            }
            io.Out.WriteLine("valid");
            return ExitCodes.Ok;
        });
        return command;
    }
}
