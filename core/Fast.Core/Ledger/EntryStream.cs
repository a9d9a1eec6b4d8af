using Fast.Core.Codec;

namespace Fast.Core.Ledger;

/// <summary>
/// Walks a slot's entries as the Blockstore returns them (back-to-back wire-format entries),
/// without allocating: <c>foreach (EntryView entry in new EntryStream(bytes))</c>. Stops at the end
/// or at the first entry that does not decode; <see cref="Result"/> then says which, with the
/// offset, and <see cref="Offset"/> is where the current entry starts. (<c>foreach</c> walks a copy:
/// to read <see cref="Result"/> afterwards, loop with <see cref="MoveNext"/>.)
/// </summary>
public ref struct EntryStream
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _next;

    public EntryStream(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _next = 0;
        Offset = 0;
        Current = default;
        Result = DecodeResult.Success;
    }

    public EntryView Current { get; private set; }

    /// <summary>Where <see cref="Current"/> starts in the slot's bytes.</summary>
    public int Offset { get; private set; }

    /// <summary>Ok while entries decode (and at a clean end); otherwise the failure and its offset in the slot's bytes.</summary>
    public DecodeResult Result { get; private set; }

    public readonly EntryStream GetEnumerator() => this;

    public bool MoveNext()
    {
        if (!Result.IsOk || _next >= _bytes.Length) return false;
        DecodeResult decoded = EntryView.TryParsePrefix(_bytes[_next..], out EntryView entry);
        if (!decoded.IsOk)
        {
            Result = new DecodeResult(decoded.Status, _next + decoded.Offset);
            return false;
        }
        Offset = _next;
        Current = entry;
        _next += entry.Length;
        return true;
    }
}
