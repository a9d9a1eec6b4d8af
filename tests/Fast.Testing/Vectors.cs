namespace Fast.Testing;

/// <summary>
/// Finds the official test vectors in ../shared/vectors (beside the repository), or in
/// $FAST_VECTORS_DIR. They are never copied into the repository; a test whose folder is absent
/// is skipped with a message that says so.
/// </summary>
public static class Vectors
{
    public static string? Root { get; } = FindRoot();

    /// <summary>The full path of a vector folder, or null when it is not on this machine.</summary>
    public static string? Folder(string name)
    {
        if (Root is null) return null;
        string path = Path.Combine(Root, name);
        return Directory.Exists(path) ? path : null;
    }

    public static string File(string folder, string name) =>
        Path.Combine(Folder(folder) ?? throw new DirectoryNotFoundException($"vector folder {folder} is absent"), name);

    /// <summary>Null when the folder exists, else the reason a test using it is skipped.</summary>
    public static string? SkipReason(string folder) =>
        Folder(folder) is null ? $"official vectors absent: {folder}/ not found under ../shared/vectors or $FAST_VECTORS_DIR" : null;

    private static string? FindRoot()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("FAST_VECTORS_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment)) return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        string? repo = RepoPaths.Root;
        if (repo is null) return null;
        string candidate = Path.GetFullPath(Path.Combine(repo, "..", "shared", "vectors"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>A [Fact] that skips, saying why, when its official vector folder is absent.</summary>
public sealed class VectorFactAttribute : Xunit.FactAttribute
{
    public VectorFactAttribute(string folder)
    {
        string? reason = Vectors.SkipReason(folder);
        if (reason is not null) Skip = reason;
    }
}
