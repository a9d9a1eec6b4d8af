using System.Runtime.InteropServices;

namespace Fast.Storage.Accounts;

/// <summary>
/// A Linux io_uring used for one thing: many positioned reads with one system call. A reader queues
/// reads (<see cref="TryQueueRead"/>: a submission entry, no system call), then
/// <see cref="SubmitAndWait"/> hands every queued read to the kernel and waits for at least one
/// completion, and <see cref="TryReap"/> takes completions off the ring. Against a file in the page
/// cache the kernel does each read inside that one call, so a batch of a thousand reads costs one
/// entry into the kernel instead of a thousand preads (measured here: 0.5 µs a read instead of 2.0;
/// each system call is expensive in this VM). Raw system calls and the shared rings mapped into this
/// process; no liburing. One thread owns a ring (not thread-safe); <see cref="TryCreate"/> returns
/// null where io_uring is missing or forbidden (old kernel, seccomp, io_uring_disabled), and callers
/// then read with pread. Allocates nothing after creation.
/// </summary>
internal sealed unsafe partial class IoUring : IDisposable
{
    private const long SysIoUringSetup = 425;
    private const long SysIoUringEnter = 426;
    private const uint EnterGetEvents = 1;
    private const uint FeatureSingleMmap = 1;
    private const byte OpRead = 22;
    private const long OffsetSqRing = 0;
    private const long OffsetCqRing = 0x8000000;
    private const long OffsetSqes = 0x10000000;
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapSharedPopulate = 0x01 | 0x8000;
    private const int EINTR = 4;

    private readonly int _fd;
    private readonly byte* _sqRing;
    private readonly nuint _sqRingBytes;
    private readonly byte* _cqRing;
    private readonly nuint _cqRingBytes;
    private readonly Sqe* _sqes;
    private readonly nuint _sqesBytes;
    private readonly uint* _sqTail;
    private readonly uint* _sqHead;
    private readonly uint _sqMask;
    private readonly uint* _sqArray;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly Cqe* _cqes;
    private uint _localTail;
    private uint _unsubmitted;
    private bool _disposed;

    /// <summary>Submission entries: reads queued at once at most.</summary>
    public uint Entries { get; }

    /// <summary>Reads queued and not yet handed to the kernel.</summary>
    public uint Unsubmitted => _unsubmitted;

    private IoUring(int fd, in Params p, byte* sqRing, nuint sqRingBytes, byte* cqRing, nuint cqRingBytes, Sqe* sqes, nuint sqesBytes)
    {
        _fd = fd;
        _sqRing = sqRing;
        _sqRingBytes = sqRingBytes;
        _cqRing = cqRing;
        _cqRingBytes = cqRingBytes;
        _sqes = sqes;
        _sqesBytes = sqesBytes;
        Entries = p.SqEntries;
        _sqHead = (uint*)(sqRing + p.SqOff.Head);
        _sqTail = (uint*)(sqRing + p.SqOff.Tail);
        _sqMask = *(uint*)(sqRing + p.SqOff.RingMask);
        _sqArray = (uint*)(sqRing + p.SqOff.Array);
        _cqHead = (uint*)(cqRing + p.CqOff.Head);
        _cqTail = (uint*)(cqRing + p.CqOff.Tail);
        _cqMask = *(uint*)(cqRing + p.CqOff.RingMask);
        _cqes = (Cqe*)(cqRing + p.CqOff.Cqes);
        _localTail = Volatile.Read(ref *_sqTail);
    }

    ~IoUring() => Release();

    /// <summary>A ring of <paramref name="entries"/> submission entries (a power of two), or null where io_uring cannot be used.</summary>
    public static IoUring? TryCreate(uint entries)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Params p = default;
        int fd = (int)Syscall(SysIoUringSetup, entries, (long)&p, 0, 0, 0, 0);
        if (fd < 0) return null;
        nuint sqBytes = p.SqOff.Array + p.SqEntries * sizeof(uint);
        nuint cqBytes = p.CqOff.Cqes + p.CqEntries * (nuint)sizeof(Cqe);
        bool single = (p.Features & FeatureSingleMmap) != 0;
        if (single) sqBytes = cqBytes = Math.Max(sqBytes, cqBytes);
        byte* sq = (byte*)Mmap(null, sqBytes, ProtReadWrite, MapSharedPopulate, fd, OffsetSqRing);
        byte* cq = single ? sq : (byte*)Mmap(null, cqBytes, ProtReadWrite, MapSharedPopulate, fd, OffsetCqRing);
        nuint sqesBytes = p.SqEntries * (nuint)sizeof(Sqe);
        var sqes = (Sqe*)Mmap(null, sqesBytes, ProtReadWrite, MapSharedPopulate, fd, OffsetSqes);
        if (IsFailed(sq) || IsFailed(cq) || IsFailed(sqes))
        {
            if (!IsFailed(sq)) Munmap(sq, sqBytes);
            if (!single && !IsFailed(cq)) Munmap(cq, cqBytes);
            if (!IsFailed(sqes)) Munmap(sqes, sqesBytes);
            Close(fd);
            return null;
        }
        return new IoUring(fd, p, sq, sqBytes, cq, single ? 0 : cqBytes, sqes, sqesBytes);
    }

    /// <summary>Queues a read of <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="fileDescriptor"/> into <paramref name="destination"/>; false when every entry is taken (submit first).</summary>
    public bool TryQueueRead(int fileDescriptor, byte* destination, uint length, long offset, ulong userData)
    {
        uint head = Volatile.Read(ref *_sqHead);
        if (_localTail - head >= Entries) return false;
        uint index = _localTail & _sqMask;
        Sqe* sqe = _sqes + index;
        *sqe = default;
        sqe->Opcode = OpRead;
        sqe->Fd = fileDescriptor;
        sqe->Offset = (ulong)offset;
        sqe->Address = (ulong)destination;
        sqe->Length = length;
        sqe->UserData = userData;
        _sqArray[index] = index;
        _localTail++;
        Volatile.Write(ref *_sqTail, _localTail);
        _unsubmitted++;
        return true;
    }

    /// <summary>
    /// Hands every queued read to the kernel and waits until at least <paramref name="minComplete"/>
    /// completions are on the ring. Returns 0, or the negative errno of a failed call (the queued
    /// reads then stay queued).
    /// </summary>
    public int SubmitAndWait(uint minComplete)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            long result = Syscall(SysIoUringEnter, _fd, _unsubmitted, minComplete, minComplete > 0 ? EnterGetEvents : 0, 0, 0);
            if (result >= 0)
            {
                _unsubmitted -= (uint)Math.Min(result, _unsubmitted);
                if (_unsubmitted == 0 || minComplete == 0) return 0;
                continue;
            }
            int errno = Marshal.GetLastSystemError();
            if (errno != EINTR) return -errno;
        }
    }

    /// <summary>Takes one completion off the ring: its user data and result (bytes read, or a negative errno).</summary>
    public bool TryReap(out ulong userData, out int result)
    {
        uint head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail))
        {
            userData = 0;
            result = 0;
            return false;
        }
        Cqe* cqe = _cqes + (head & _cqMask);
        userData = cqe->UserData;
        result = cqe->Result;
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_disposed) return;
        _disposed = true;
        Munmap(_sqes, _sqesBytes);
        if (_cqRingBytes != 0) Munmap(_cqRing, _cqRingBytes);
        Munmap(_sqRing, _sqRingBytes);
        Close(_fd);
    }

    private static bool IsFailed(void* mapped) => mapped == (void*)-1 || mapped == null;

    [StructLayout(LayoutKind.Sequential)]
    private struct SqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Reserved1;
        public ulong UserAddress;
    }

    /// <summary>struct io_uring_params (120 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Reserved0, Reserved1, Reserved2;
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }

    /// <summary>struct io_uring_sqe (64 bytes), the fields a read uses.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Offset;
        [FieldOffset(16)] public ulong Address;
        [FieldOffset(24)] public uint Length;
        [FieldOffset(32)] public ulong UserData;
    }

    /// <summary>struct io_uring_cqe (16 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    private struct Cqe
    {
        [FieldOffset(0)] public ulong UserData;
        [FieldOffset(8)] public int Result;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
