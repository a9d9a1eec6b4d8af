using Fast.Core.Codec;
using Fast.Core.Transactions;

namespace Fast.Exec;

/// <summary>
/// A transaction that was parsed (and, in the node, signature-checked) earlier: where it sits in a
/// buffer and its <see cref="TransactionLayout"/>, so execution rebuilds the view without parsing
/// again. The buffer must not change while the transaction is in flight.
/// </summary>
public readonly struct VerifiedTransaction
{
    public VerifiedTransaction(byte[] buffer, int offset, in TransactionLayout layout)
    {
        Buffer = buffer;
        Offset = offset;
        _layout = layout;
    }

    private readonly TransactionLayout _layout;

    public byte[] Buffer { get; }

    public int Offset { get; }

    public TransactionLayout Layout => _layout;

    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(Offset, Layout.Length);

    /// <summary>The view over the buffer.</summary>
    public TransactionView View => TransactionView.FromValidated(Buffer.AsSpan(Offset), in _layout);

    /// <summary>Parses the transaction at <paramref name="offset"/> (which may be followed by more data); signatures are not checked.</summary>
    public static DecodeResult TryParse(byte[] buffer, int offset, out VerifiedTransaction transaction)
    {
        DecodeResult result = TransactionView.TryParsePrefix(buffer.AsSpan(offset), out TransactionView view);
        transaction = result.IsOk ? new VerifiedTransaction(buffer, offset, view.Layout) : default;
        return result;
    }

    /// <summary>Parses a buffer that holds exactly one transaction (tests and tools).</summary>
    public static VerifiedTransaction Parse(byte[] transaction)
    {
        DecodeResult result = TransactionView.TryParse(transaction, out TransactionView view);
        if (!result.IsOk) ThrowHelper.ThrowArgument(nameof(transaction), $"not a valid transaction: {result.Status} at {result.Offset}");
        return new VerifiedTransaction(transaction, 0, view.Layout);
    }
}
