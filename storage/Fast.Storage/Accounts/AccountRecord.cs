using System.Buffers.Binary;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// How an account is laid out as a FASTER value (and hashed): fixed header, then the data.
/// <code>
/// u64 lamports | owner(32) | u8 flags (bit 0 = executable) | data...
/// </code>
/// The data length is the value length minus the header; FASTER's SpanByte carries it.
/// </summary>
internal static class AccountRecord
{
    public const int HeaderSize = 8 + Pubkey.Size + 1;

    private const byte ExecutableFlag = 0x01;

    public static int SizeOf(int dataLength) => HeaderSize + dataLength;

    public static void WriteHeader(Span<byte> destination, ulong lamports, in Pubkey owner, bool executable)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, lamports);
        owner.CopyTo(destination.Slice(8, Pubkey.Size));
        destination[8 + Pubkey.Size] = executable ? ExecutableFlag : (byte)0;
    }

    /// <summary>Reads the header; false when the value is shorter than a header (a corrupt record).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> value, out ulong lamports, out Pubkey owner, out bool executable)
    {
        if (value.Length < HeaderSize)
        {
            lamports = 0;
            owner = default;
            executable = false;
            return false;
        }
        lamports = BinaryPrimitives.ReadUInt64LittleEndian(value);
        owner = new Pubkey(value.Slice(8, Pubkey.Size));
        executable = (value[8 + Pubkey.Size] & ExecutableFlag) != 0;
        return true;
    }
}
