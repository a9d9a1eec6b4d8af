using Fast.Core.Primitives;

namespace Fast.Node.LoadGen;

/// <summary>
/// A window of signed transfers that all name one recent blockhash, packed in one buffer at a
/// fixed stride so the sender hands them to sendmmsg without copying. Owned by one thread at a
/// time: the signer fills it, the sender sends it, then it goes back to the signer's pool.
/// </summary>
public sealed class TransferWindow
{
    public const int Stride = 256;

    public TransferWindow(int capacity)
    {
        Buffer = GC.AllocateUninitializedArray<byte>(capacity * Stride);
        Offsets = new int[capacity];
        Lengths = new ushort[capacity];
        Signatures = new Signature[capacity];
        for (int i = 0; i < capacity; i++) Offsets[i] = i * Stride;
    }

    public byte[] Buffer { get; }
    public int[] Offsets { get; }
    public ushort[] Lengths { get; }
    public Signature[] Signatures { get; }
    public int Capacity => Offsets.Length;

    /// <summary>The blockhash every transfer in this window names, and the slot the node reported it at.</summary>
    public Hash Blockhash { get; internal set; }
    public ulong BlockhashSlot { get; internal set; }

    /// <summary>The global index of this window's first transfer (transfer k goes from account k mod N).</summary>
    public long FirstIndex { get; internal set; }

    /// <summary>Transfers the sender has handed to the socket (or discarded) so far.</summary>
    public int Position { get; set; }

    /// <summary>The transfer at <paramref name="index"/>, as sent on the wire.</summary>
    public ReadOnlySpan<byte> Transaction(int index) => Buffer.AsSpan(Offsets[index], Lengths[index]);
}
