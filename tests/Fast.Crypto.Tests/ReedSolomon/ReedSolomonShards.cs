using System.Runtime.InteropServices;
using Fast.Crypto.ReedSolomon;

namespace Fast.Crypto.Tests.ReedSolomon;

/// <summary>
/// A FEC set's shards for tests: n shards of one size in one pinned buffer (shard i at i × size),
/// with the pointer view the coder's raw API takes. Disposing frees the pin.
/// </summary>
internal sealed class ReedSolomonShards : IDisposable
{
    private GCHandle _pin;

    public ReedSolomonShards(int count, int shardSize)
    {
        Count = count;
        ShardSize = shardSize;
        Bytes = new byte[Math.Max(1, count * shardSize)];
        _pin = GCHandle.Alloc(Bytes, GCHandleType.Pinned);
        Pointers = new nint[count];
        for (int i = 0; i < count; i++) Pointers[i] = _pin.AddrOfPinnedObject() + i * shardSize;
    }

    public int Count { get; }

    public int ShardSize { get; }

    public byte[] Bytes { get; }

    public nint[] Pointers { get; }

    public Span<byte> Shard(int i) => Bytes.AsSpan(i * ShardSize, ShardSize);

    /// <summary>Random data shards, then parity encoded by <paramref name="code"/> with the scalar reference.</summary>
    public static ReedSolomonShards Random(ReedSolomonCode code, int shardSize, Random random, ReedSolomonKernel kernel = ReedSolomonKernel.Scalar)
    {
        ReedSolomonShards shards = new(code.TotalShards, shardSize);
        random.NextBytes(shards.Bytes.AsSpan(0, code.DataShards * shardSize));
        code.Encode(shards.Pointers.AsSpan(0, code.DataShards), shards.Pointers.AsSpan(code.DataShards), shardSize, kernel);
        return shards;
    }

    public void Dispose()
    {
        if (_pin.IsAllocated) _pin.Free();
    }
}
