namespace Fast.Testing;

/// <summary>
/// A [Fact] for long soak and scale runs: skipped, saying how to run it, unless the environment
/// has FAST_SOAK=1 (the default `./build.sh test` stays under 15 minutes).
/// </summary>
public sealed class SoakFactAttribute : Xunit.FactAttribute
{
    public const string Variable = "FAST_SOAK";

    public SoakFactAttribute()
    {
        if (!Enabled) Skip = $"a long soak run: set {Variable}=1 to run it (see README)";
    }

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
