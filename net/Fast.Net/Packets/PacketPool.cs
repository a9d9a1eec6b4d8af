using System.Runtime.InteropServices;
using Fast.Core.Collections;

namespace Fast.Net.Packets;

/// <summary>
/// A fixed slab of packet buffers in native memory, allocated once at start-up: every packet the
/// node receives lives in one slot from receive until the stage that consumes it returns the slot.
/// Slots are handed out and returned through a lock-free free list, so any thread may rent or
/// return. Memory bound: <see cref="Capacity"/> × <see cref="SlotSize"/> bytes (65,536 slots = 80 MiB).
/// </summary>
public sealed unsafe class PacketPool : IDisposable
{
    /// <summary>Slot size: room for a 1,232-byte transaction (or a 1,232-byte shred) rounded up to a multiple of 64.</summary>
    public const int SlotSize = 1280;

    private readonly byte* _slab;
    private readonly BoundedQueue<int> _free;
    private int _disposed;

    public PacketPool(int capacity)
    {
        if (capacity < 2) throw new ArgumentOutOfRangeException(nameof(capacity), "at least 2 slots");
        Capacity = capacity;
        _slab = (byte*)NativeMemory.AlignedAlloc((nuint)capacity * SlotSize, 64);
        _free = new BoundedQueue<int>(capacity);
        for (int i = 0; i < capacity; i++) _free.TryEnqueue(i);
    }

    public int Capacity { get; }

    /// <summary>Slots not rented right now (a snapshot).</summary>
    public int Available => _free.Count;

    /// <summary>Takes a free slot; false when every slot is in use (the caller drops and counts).</summary>
    public bool TryRent(out int slot) => _free.TryDequeue(out slot);

    /// <summary>Gives a slot back. Returning a slot twice is a bug that corrupts packets.</summary>
    public void Return(int slot)
    {
        if ((uint)slot >= (uint)Capacity) throw new ArgumentOutOfRangeException(nameof(slot));
        _free.TryEnqueue(slot);
    }

    /// <summary>The whole slot (<see cref="SlotSize"/> bytes).</summary>
    public Span<byte> Slot(int slot)
    {
        if ((uint)slot >= (uint)Capacity) throw new ArgumentOutOfRangeException(nameof(slot));
        return new Span<byte>(_slab + (long)slot * SlotSize, SlotSize);
    }

    /// <summary>The bytes of a received packet.</summary>
    public ReadOnlySpan<byte> Data(in Packet packet) => Slot(packet.Slot)[..packet.Length];

    internal byte* SlotPointer(int slot) => _slab + (long)slot * SlotSize;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) NativeMemory.AlignedFree(_slab);
    }
}
