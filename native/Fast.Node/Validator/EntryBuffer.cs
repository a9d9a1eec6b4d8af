using System.Buffers;
using System.Runtime.InteropServices;
using Fast.Core.Collections;

namespace Fast.Node.Validator;

/// <summary>
/// The bytes of one entry's transactions, shared by the two stages that need them after PoH:
/// banking executes from them and the ledger writer persists them, in either order. Reference
/// counted (one reference each); the last release returns it to its <see cref="EntryBufferPool"/>.
/// It is the <see cref="MemoryManager{T}"/> behind the <see cref="ReadOnlyMemory{T}"/> a PoH
/// record carries, so the ledger writer finds it again from the entry PoH emits. Any thread.
/// </summary>
public sealed class EntryBuffer : MemoryManager<byte>
{
    private readonly EntryBufferPool _pool;
    private int _references;

    internal EntryBuffer(EntryBufferPool pool, int capacity)
    {
        _pool = pool;
        Array = GC.AllocateUninitializedArray<byte>(capacity);
    }

    /// <summary>The backing array (execution reads transactions from it by offset).</summary>
    public byte[] Array { get; }

    /// <summary>Bytes in use.</summary>
    public int Length { get; set; }

    internal void Arm(int references)
    {
        Length = 0;
        Volatile.Write(ref _references, references);
    }

    /// <summary>Drops one reference; the last one returns the buffer to its pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new InvalidOperationException("entry buffer released too many times");
    }

    /// <summary>The buffer behind a record's or entry's memory, when it is one of ours.</summary>
    public static EntryBuffer? Of(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetMemoryManager(memory, out EntryBuffer? buffer) ? buffer : null;

    public override Span<byte> GetSpan() => Array.AsSpan(0, Length);

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("entry buffers are never pinned");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// Entry buffers, allocated on demand up to a cap and then reused forever (no allocation in steady
/// state). Memory bound: <see cref="MaxBuffers"/> × <see cref="BufferBytes"/>.
/// </summary>
public sealed class EntryBufferPool(int maxBuffers, int bufferBytes)
{
    private readonly BoundedQueue<EntryBuffer> _free = new(Math.Max(2, maxBuffers));
    private int _created;

    public int MaxBuffers { get; } = maxBuffers;
    public int BufferBytes { get; } = bufferBytes;
    public int Created => Volatile.Read(ref _created);

    /// <summary>Buffers a <see cref="TryRent"/> could hand out now (free ones plus those not yet created): <see cref="MaxBuffers"/> when none is in use.</summary>
    public int Available => _free.Count + MaxBuffers - Created;

    /// <summary>A buffer with <paramref name="references"/> owners; null when all <see cref="MaxBuffers"/> are in use.</summary>
    public EntryBuffer? TryRent(int references)
    {
        if (!_free.TryDequeue(out EntryBuffer? buffer))
        {
            if (Interlocked.Increment(ref _created) > MaxBuffers)
            {
                Interlocked.Decrement(ref _created);
                return null;
            }
            buffer = new EntryBuffer(this, BufferBytes);
        }
        buffer.Arm(references);
        return buffer;
    }

    internal void Return(EntryBuffer buffer) => _free.TryEnqueue(buffer);
}
