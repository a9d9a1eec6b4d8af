using FASTER.core;
using Fast.Core.Primitives;

namespace Fast.Storage.Accounts;

/// <summary>
/// Where a FASTER read of an account lands: the header fields, and an array for the data that only
/// the reader holds — rented from <see cref="Pool"/> when one is given, else a fresh array (the
/// only allocation, and only for accounts that have data). With <see cref="Raw"/> set, the whole
/// value is copied into <see cref="Data"/> instead (for the root record).
/// </summary>
internal struct AccountReadOutput
{
    public bool Raw;

    /// <summary>Where the data array comes from (null: a new array).</summary>
    public AccountDataPool? Pool;

    /// <summary>Decode the header only (no data array): for the owner index's look at a record about to be deleted.</summary>
    public bool HeaderOnly;
    public bool Valid;
    public ulong Lamports;
    public Pubkey Owner;
    public bool Executable;
    public byte[]? Data;
}

/// <summary>FASTER callbacks for the account store: SpanByte keys and values, reads decoded into <see cref="AccountReadOutput"/>.</summary>
internal sealed class AccountStoreFunctions : SpanByteFunctions<SpanByte, AccountReadOutput, long>
{
    public override bool SingleReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref AccountReadOutput dst, ref ReadInfo readInfo) =>
        Decode(ref value, ref dst);

    public override bool ConcurrentReader(ref SpanByte key, ref SpanByte input, ref SpanByte value, ref AccountReadOutput dst, ref ReadInfo readInfo) =>
        Decode(ref value, ref dst);

    private static bool Decode(ref SpanByte value, ref AccountReadOutput dst)
    {
        ReadOnlySpan<byte> bytes = value.AsReadOnlySpan();
        if (dst.Raw)
        {
            dst.Data = bytes.ToArray();
            dst.Valid = true;
            return true;
        }
        dst.Valid = AccountRecord.TryReadHeader(bytes, out dst.Lamports, out dst.Owner, out dst.Executable);
        if (!dst.Valid || dst.HeaderOnly || bytes.Length <= AccountRecord.HeaderSize)
        {
            dst.Data = null;
            return true;
        }
        ReadOnlySpan<byte> data = bytes[AccountRecord.HeaderSize..];
        dst.Data = dst.Pool is AccountDataPool pool ? pool.RentCopy(data) : data.ToArray();
        return true;
    }
}
