using Fast.Core.Primitives;
using Fast.Crypto;
using Fast.Exec.Programs;

namespace Fast.Node.Bench;

/// <summary>
/// `fast bench sign`: transfers signed per second on one thread by the load generator's batch
/// signer (<see cref="VariableTimeBatchSigner"/>, batches of 64) versus libsecp256k1's
/// constant-time signer one transfer at a time (<see cref="Keypair.Sign(ReadOnlySpan{byte}, Span{byte})"/>),
/// interleaved in the same run, over the same transfer messages. Both include the auxiliary
/// randomness each signature draws. This is what `fast bench-tps` spends per transfer next to the node.
/// </summary>
public static class SignBench
{
    private const int Transfers = 1024;

    public static BenchReport Run(double seconds)
    {
        Keypair[] keys = [.. Enumerable.Range(0, 64).Select(_ => Keypair.Generate())];
        byte[] buffer = new byte[Transfers * SystemTransaction.TransferLength];
        int[] messageOffsets = new int[Transfers], messageLengths = new int[Transfers], signatureOffsets = new int[Transfers];
        var signers = new Keypair[Transfers];
        for (int i = 0; i < Transfers; i++)
        {
            int offset = i * SystemTransaction.TransferLength;
            signers[i] = keys[i % keys.Length];
            SystemTransaction.WriteTransferUnsigned(buffer.AsSpan(offset), new Pubkey(signers[i].PublicKey), new Pubkey(keys[(i + 1) % keys.Length].PublicKey), (ulong)i + 1, default);
            messageOffsets[i] = offset + SystemTransaction.MessageOffset;
            messageLengths[i] = SystemTransaction.MessageLength;
            signatureOffsets[i] = offset + 1;
        }

        long Batch()
        {
            for (int i = 0; i < Transfers; i += VariableTimeBatchSigner.MaxBatch)
            {
                int n = Math.Min(VariableTimeBatchSigner.MaxBatch, Transfers - i);
                VariableTimeBatchSigner.Sign(signers.AsSpan(i, n), buffer, messageOffsets.AsSpan(i, n), messageLengths.AsSpan(i, n), signatureOffsets.AsSpan(i, n));
            }
            return Transfers;
        }
        long Reference()
        {
            for (int i = 0; i < Transfers; i++)
            {
                signers[i].Sign(buffer.AsSpan(messageOffsets[i], messageLengths[i]), buffer.AsSpan(signatureOffsets[i], Signature.Size));
            }
            return Transfers;
        }

        double[] rates = Throughput.Interleaved(seconds, Throughput.DefaultRounds, Batch, Reference);
        BenchReport report = new("sign");
        report.Result("batch_signer_signatures_per_s", rates[0])
              .Reference("libsecp256k1_sign_signatures_per_s", rates[1])
              .Ratio("batch_signer_vs_libsecp256k1", rates[0] / rates[1]);
        report.AllocatedBytesPerOp = Throughput.AllocatedPerUnit(3, Batch);
        report.Note("one thread; transfer messages of " + SystemTransaction.MessageLength + " bytes; the batch signer is variable-time (load generation's throwaway keys only), the reference constant-time");
        return report;
    }
}
