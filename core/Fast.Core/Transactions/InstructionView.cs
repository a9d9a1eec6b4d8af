namespace Fast.Core.Transactions;

/// <summary>One instruction of a validated transaction: which program, which accounts (indexes into the transaction's keys), what data.</summary>
public readonly ref struct InstructionView
{
    public InstructionView(byte programIdIndex, ReadOnlySpan<byte> accountIndexes, ReadOnlySpan<byte> data)
    {
        ProgramIdIndex = programIdIndex;
        AccountIndexes = accountIndexes;
        Data = data;
    }

    public byte ProgramIdIndex { get; }

    /// <summary>Indexes into the transaction's account keys, already checked to be in range.</summary>
    public ReadOnlySpan<byte> AccountIndexes { get; }

    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>Walks the instructions of a validated transaction without allocating (foreach-able).</summary>
public ref struct InstructionEnumerator
{
    private readonly ReadOnlySpan<byte> _region;
    private int _remaining;
    private int _position;

    internal InstructionEnumerator(ReadOnlySpan<byte> region, int count)
    {
        _region = region;
        _remaining = count;
        _position = 0;
        Current = default;
    }

    public InstructionView Current { get; private set; }

    public readonly InstructionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining == 0) return false;
        _remaining--;
        // The region was validated when the view was made: shortvecs are canonical and in bounds.
        byte programIdIndex = _region[_position++];
        ShortVecUnchecked(out int accountCount);
        ReadOnlySpan<byte> accounts = _region.Slice(_position, accountCount);
        _position += accountCount;
        ShortVecUnchecked(out int dataLength);
        ReadOnlySpan<byte> data = _region.Slice(_position, dataLength);
        _position += dataLength;
        Current = new InstructionView(programIdIndex, accounts, data);
        return true;
    }

    private void ShortVecUnchecked(out int value)
    {
        Codec.ShortVec.TryRead(_region[_position..], out value, out int consumed);
        _position += consumed;
    }
}
