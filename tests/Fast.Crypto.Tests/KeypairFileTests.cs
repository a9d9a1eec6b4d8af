using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests;

public class KeypairFileTests
{
    [Fact]
    public void A_written_keypair_file_is_private_and_reads_back_to_the_same_key()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        var keypair = Keypair.Generate();
        Assert.Equal(KeypairFileError.None, KeypairFile.TryWrite(path, keypair, overwrite: false, out _));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(KeypairFileError.None, KeypairFile.TryRead(path, out Keypair? back, out _));
        Assert.Equal(keypair.PublicKey.ToArray(), back!.PublicKey.ToArray());
        Assert.Equal(keypair.SecretKey.ToArray(), back.SecretKey.ToArray());
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void An_existing_file_is_not_overwritten_unless_forced()
    {
        using TempDir dir = new();
        string path = dir.File("id.json");
        File.WriteAllText(path, "keep me");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Equal(KeypairFileError.AlreadyExists, KeypairFile.TryWrite(path, Keypair.Generate(), overwrite: false, out string message));
        Assert.Contains("--force", message);
        Assert.Equal("keep me", File.ReadAllText(path));

        Assert.Equal(KeypairFileError.None, KeypairFile.TryWrite(path, Keypair.Generate(), overwrite: true, out _));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(KeypairFileError.None, KeypairFile.TryRead(path, out _, out _));
    }

    [Theory]
    [InlineData("not json", KeypairFileError.NotAByteArray)]
    [InlineData("{\"a\":1}", KeypairFileError.NotAByteArray)]
    [InlineData("[1,2,3]", KeypairFileError.WrongLength)]
    [InlineData("[256]", KeypairFileError.NotAByteArray)]
    [InlineData("[-1]", KeypairFileError.NotAByteArray)]
    [InlineData("[\"1\"]", KeypairFileError.NotAByteArray)]
    [InlineData("[1.5]", KeypairFileError.NotAByteArray)]
    [InlineData("", KeypairFileError.NotAByteArray)]
    public void Malformed_files_get_a_typed_error(string content, KeypairFileError expected)
    {
        using TempDir dir = new();
        string path = dir.File("bad.json");
        File.WriteAllText(path, content);
        Assert.Equal(expected, KeypairFile.TryRead(path, out Keypair? keypair, out string message));
        Assert.Null(keypair);
        Assert.StartsWith(path, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_zero_secret_key_and_a_mismatched_public_key_are_caught()
    {
        using TempDir dir = new();
        string zero = dir.File("zero.json");
        File.WriteAllText(zero, "[" + string.Join(',', Enumerable.Repeat(0, 64)) + "]");
        Assert.Equal(KeypairFileError.InvalidSecretKey, KeypairFile.TryRead(zero, out _, out _));

        var keypair = Keypair.Generate();
        byte[] text = KeypairFile.Format(keypair);
        string mismatched = dir.File("mismatch.json");
        int[] values = System.Text.Json.JsonSerializer.Deserialize(text, KeypairTestJson.Default.Int32Array)!;
        values[40] ^= 1;
        File.WriteAllText(mismatched, "[" + string.Join(',', values) + "]");
        Assert.Equal(KeypairFileError.PublicKeyMismatch, KeypairFile.TryRead(mismatched, out _, out _));
    }

    [Fact]
    public void Oversized_and_missing_files_are_refused_before_reading()
    {
        using TempDir dir = new();
        string big = dir.File("big.json");
        File.WriteAllBytes(big, new byte[KeypairFile.MaxFileBytes + 1]);
        Assert.Equal(KeypairFileError.TooLarge, KeypairFile.TryRead(big, out _, out _));
        Assert.Equal(KeypairFileError.NotFound, KeypairFile.TryRead(dir.File("missing.json"), out _, out _));
        Assert.Equal(KeypairFileError.DirectoryNotFound, KeypairFile.TryWrite(dir.File("no/such/dir/id.json"), Keypair.Generate(), false, out _));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
internal sealed partial class KeypairTestJson : System.Text.Json.Serialization.JsonSerializerContext;
