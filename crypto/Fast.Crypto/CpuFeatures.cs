using System.Runtime.Intrinsics.X86;
using Fast.Crypto.Interop;

namespace Fast.Crypto;

/// <summary>
/// What this CPU offers the hot paths (read once via CPUID in the C kernel, plus .NET's own
/// intrinsic checks). Benchmarks print it so a result can be read against its machine.
/// </summary>
public static class CpuFeatures
{
    private const uint ShaNiBit = 1u << 0;
    private const uint GfniBit = 1u << 1;

    private static readonly uint Native = FastCryptoNative.CpuFeatures();

    public static bool ShaNi => (Native & ShaNiBit) != 0;
    public static bool Gfni => (Native & GfniBit) != 0;
    public static bool Avx2 => System.Runtime.Intrinsics.X86.Avx2.IsSupported;
    public static bool Avx512 => Avx512F.IsSupported;

    /// <summary>The CPU's model name from /proc/cpuinfo, or "unknown".</summary>
    public static string ModelName { get; } = ReadModelName();

    private static string ReadModelName()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    return colon >= 0 ? line[(colon + 1)..].Trim() : "unknown";
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return "unknown";
    }
}
