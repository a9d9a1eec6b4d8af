namespace Fast.Testing;

/// <summary>The repository's root (the folder with Fast.sln), found by walking up from the test binaries.</summary>
public static class RepoPaths
{
    public static string? Root { get; } = Find();

    public static string RequireRoot() => Root ?? throw new DirectoryNotFoundException("Fast.sln not found above " + AppContext.BaseDirectory);

    private static string? Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Fast.sln"))) return dir.FullName;
        }
        return null;
    }
}
