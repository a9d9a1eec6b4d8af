using Fast.Crypto;
using Fast.Node.Cli;
using Fast.Testing;
using Xunit;

namespace Fast.Node.Tests.Cli;

public class SignatureCommandTests
{
    [Fact]
    public void Keygen_sign_verify_round_trip_exits_zero_and_prints_valid()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        CliRunner.Outcome keygen = CliRunner.Run("keygen", "-o", path);
        Assert.Equal(ExitCodes.Ok, keygen.ExitCode);
        string pubkey = keygen.Stdout.Trim();

        Assert.Equal(pubkey, CliRunner.Run("pubkey", path).Stdout.Trim());

        CliRunner.Outcome sign = CliRunner.Run("sign", "--keypair", path, "--message", "00ff10");
        Assert.Equal(ExitCodes.Ok, sign.ExitCode);
        string signature = sign.Stdout.Trim();
        Assert.Equal(128, signature.Length);

        CliRunner.Outcome verify = CliRunner.Run("verify", "--pubkey", pubkey, "--message", "00ff10", "--signature", signature);
        Assert.Equal(ExitCodes.Ok, verify.ExitCode);
        Assert.Equal("valid", verify.Stdout.Trim());

        // The same key in hex is accepted too.
        byte[] keyBytes = new byte[32];
        Assert.True(Base58.TryDecodeExact(pubkey, keyBytes));
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("verify", "--pubkey", Hex.Encode(keyBytes), "--message", "00ff10", "--signature", signature).ExitCode);
    }

    [Fact]
    public void The_empty_message_signs_and_verifies()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        string pubkey = CliRunner.Run("keygen", "-o", path).Stdout.Trim();
        string signature = CliRunner.Run("sign", "-k", path, "-m", "").Stdout.Trim();
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("verify", "-p", pubkey, "-m", "", "-s", signature).ExitCode);
    }

    [Fact]
    public void A_wrong_signature_exits_one_with_a_one_line_reason()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        string pubkey = CliRunner.Run("keygen", "-o", path).Stdout.Trim();
        string signature = CliRunner.Run("sign", "-k", path, "-m", "abcd").Stdout.Trim();

        CliRunner.Outcome other = CliRunner.Run("verify", "-p", pubkey, "-m", "abce", "-s", signature);
        Assert.Equal(ExitCodes.Rejected, other.ExitCode);
        AssertOneLine(other.Stderr);
        Assert.Empty(other.Stdout);
    }

    [VectorFact("bip340")]
    public void Verify_accepts_a_BIP340_vector_and_rejects_its_negative_twin()
    {
        // BIP-340 vector 1 (valid) and vector 6 (same key, negated R: invalid).
        string key = "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659";
        string message = "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89";
        string valid = "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A";
        string invalid = "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A14602975563CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2";
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("verify", "-p", key, "-m", message, "-s", valid).ExitCode);
        Assert.Equal(ExitCodes.Rejected, CliRunner.Run("verify", "-p", key, "-m", message, "-s", invalid).ExitCode);
    }

    public static TheoryData<string[]> MalformedVerifyInputs => new()
    {
        { ["verify", "-p", "nope", "-m", "", "-s", new string('0', 128)] },
        { ["verify", "-p", new string('1', 44), "-m", "", "-s", new string('0', 128)] },
        { ["verify", "-p", "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", "-m", "", "-s", new string('0', 128)] },
        { ["verify", "-p", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "-m", "abc", "-s", new string('0', 128)] },
        { ["verify", "-p", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "-m", "zz", "-s", new string('0', 128)] },
        { ["verify", "-p", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "-m", "", "-s", "00"] },
        { ["verify", "-p", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "-m", ""] },
        { ["verify"] },
    };

    [Theory]
    [MemberData(nameof(MalformedVerifyInputs))]
    public void Malformed_verify_input_exits_two_with_a_one_line_error(string[] args)
    {
        CliRunner.Outcome outcome = CliRunner.Run(args);
        Assert.Equal(ExitCodes.BadInput, outcome.ExitCode);
        AssertOneLine(outcome.Stderr);
        Assert.StartsWith("error: ", outcome.Stderr);
    }

    internal static void AssertOneLine(string stderr)
    {
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }
}
