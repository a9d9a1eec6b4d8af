using System.Security.Cryptography;
using Fast.Crypto;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench sha256`: chained 32-byte SHA-256 (h = sha256(h)) through our kernel versus a plain
/// .NET loop over <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>, in the same run.
/// </summary>
public static class Sha256Bench
{
    private const ulong KernelBatch = 200_000;
    private const int ReferenceBatch = 20_000;

    public static BenchReport Run(double seconds)
    {
        byte[] kernelHash = new byte[32];
        byte[] portableHash = new byte[32];
        byte[] a = new byte[32];
        byte[] b = new byte[32];

        long Kernel()
        {
            Sha256Kernel.Chain(kernelHash, KernelBatch);
            return (long)KernelBatch;
        }
        long Portable()
        {
            Sha256Kernel.ChainPortable(portableHash, KernelBatch / 4);
            return (long)(KernelBatch / 4);
        }
        long Reference()
        {
            for (int i = 0; i < ReferenceBatch; i += 2)
            {
                SHA256.HashData(a, b);
                SHA256.HashData(b, a);
            }
            return ReferenceBatch;
        }

        double[] rates = Throughput.Interleaved(seconds, Throughput.DefaultRounds, Kernel, Portable, Reference);
        double kernel = rates[0], portable = rates[1], reference = rates[2];

        BenchReport report = new("sha256");
        report.Result("kernel_chain_hashes_per_s", kernel)
              .Result("portable_chain_hashes_per_s", portable)
              .Reference("dotnet_hashdata_chain_hashes_per_s", reference)
              .Ratio("kernel_vs_dotnet", kernel / reference)
              .Ratio("kernel_vs_portable", kernel / portable);
        report.AllocatedBytesPerOp = Throughput.AllocatedPerUnit(5, Kernel);
        report.Note(Sha256Kernel.UsesShaNi ? "kernel path: SHA-NI" : "kernel path: portable C (no SHA-NI on this CPU)");
        return report;
    }
}
