namespace Fast.Storage;

/// <summary>
/// A file of the ledger is damaged or missing: what was recovered does not match what the files
/// claim. The node must refuse to start (and change nothing on disk) rather than start over from
/// genesis or with an empty ledger. <see cref="Path"/> names the file; the message is one line.
/// </summary>
public sealed class LedgerDamagedException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {OneLine(reason)}", inner)
{
    /// <summary>The damaged (or missing) file or directory.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong with it, in one line.</summary>
    public string Reason { get; } = OneLine(reason);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
