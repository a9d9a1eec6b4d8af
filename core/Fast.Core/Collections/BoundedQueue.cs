using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fast.Core.Collections;

/// <summary>
/// A fixed-capacity, lock-free, multi-producer multi-consumer queue (Vyukov's bounded MPMC
/// ring): the channel between pipeline stages. Enqueue never blocks — when full it returns false
/// and the producer drops and counts (back-pressure drops the newest). Allocates only its ring,
/// once; safe from any number of threads. Capacity is rounded up to a power of two.
/// </summary>
public sealed class BoundedQueue<T>
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        public long Sequence;
        public T Item;
    }

    private readonly Cell[] _cells;
    private readonly long _mask;
    private PaddedLong _enqueuePosition;
    private PaddedLong _dequeuePosition;

    public BoundedQueue(int capacity)
    {
        if (capacity < 2 || capacity > (1 << 30)) throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be 2..2^30");
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _cells = new Cell[size];
        for (int i = 0; i < size; i++) _cells[i].Sequence = i;
        _mask = size - 1;
    }

    public int Capacity => _cells.Length;

    /// <summary>Items in the queue now (a snapshot; exact only when no one else is touching it).</summary>
    public int Count
    {
        get
        {
            long count = Volatile.Read(ref _enqueuePosition.Value) - Volatile.Read(ref _dequeuePosition.Value);
            return (int)Math.Clamp(count, 0, _cells.Length);
        }
    }

    public bool IsEmpty => Count == 0;

    /// <summary>Told after every enqueue (set by the consumer that waits on this queue; null: nobody waits).</summary>
    public IQueueWaker? Waker { get; set; }

    /// <summary>Adds <paramref name="item"/>; false when the queue is full (nothing is written).</summary>
    public bool TryEnqueue(T item)
    {
        Cell[] cells = _cells;
        long position = Volatile.Read(ref _enqueuePosition.Value);
        while (true)
        {
            ref Cell cell = ref cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueuePosition.Value, position + 1, position) == position)
                {
                    cell.Item = item;
                    Volatile.Write(ref cell.Sequence, position + 1);
                    Waker?.Wake();
                    return true;
                }
                position = Volatile.Read(ref _enqueuePosition.Value);
            }
            else if (difference < 0)
            {
                return false; // full
            }
            else
            {
                position = Volatile.Read(ref _enqueuePosition.Value);
            }
        }
    }

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out T item)
    {
        Cell[] cells = _cells;
        long position = Volatile.Read(ref _dequeuePosition.Value);
        while (true)
        {
            ref Cell cell = ref cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - (position + 1);
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _dequeuePosition.Value, position + 1, position) == position)
                {
                    item = cell.Item;
                    if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) cell.Item = default!;
                    Volatile.Write(ref cell.Sequence, position + _mask + 1);
                    return true;
                }
                position = Volatile.Read(ref _dequeuePosition.Value);
            }
            else if (difference < 0)
            {
                item = default!;
                return false; // empty
            }
            else
            {
                position = Volatile.Read(ref _dequeuePosition.Value);
            }
        }
    }
}

/// <summary>A long on its own cache line, so producers and consumers do not false-share.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
