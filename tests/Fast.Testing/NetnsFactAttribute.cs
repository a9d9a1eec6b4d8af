namespace Fast.Testing;

/// <summary>
/// A [Fact] for tests that build a network of Linux network namespaces (veth, a bridge, nftables):
/// skipped, saying how to run it, unless FAST_NETNS=1 (they need root and change the host's network
/// configuration while they run; see README).
/// </summary>
public sealed class NetnsFactAttribute : Xunit.FactAttribute
{
    public const string Variable = "FAST_NETNS";

    public NetnsFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"builds network namespaces (root, ip, nft): set {Variable}=1 to run it (see README)";
    }
}
