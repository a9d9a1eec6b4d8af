namespace Fast.Node.Pipeline;

/// <summary>
/// The sigverify stage's switch between batch and single verification, one per sigverify thread.
/// It tracks the share of recent batches that held at least one invalid signature (an
/// exponentially weighted average, each batch weighing 1/8, so three failing batches in a row switch) — measured the same way in both modes
/// (in single mode: would the batch have failed?), so it falls again when the invalid signatures
/// stop. Past <see cref="EnterSinglePercent"/> the thread verifies singly, since a failed batch
/// costs its equation plus the bisection; below <see cref="LeaveSinglePercent"/> it batches again.
/// Nothing here is keyed on who sent what: UDP sources can be forged.
/// </summary>
public struct BatchFailureShare
{
    /// <summary>
    /// A failed batch of n with one bad signature costs about two batch equations over n plus a few
    /// single checks; at 1.5× batch gain, batching stops paying when roughly a third of the batches
    /// fail. Switching at a quarter keeps a margin; half that to switch back keeps it from flapping.
    /// </summary>
    public const int EnterSinglePercent = 25;
    public const int LeaveSinglePercent = 12;

    private const int One = 1 << 16;
    private const int WeightShift = 3; // each batch moves the share 1/8 of the way

    private int _shareQ16;

    /// <summary>True while this thread verifies one signature at a time.</summary>
    public bool Singly { get; private set; }

    /// <summary>The current share of failing batches, in percent.</summary>
    public readonly double SharePercent => _shareQ16 * 100.0 / One;

    /// <summary>Records one batch's outcome (failed: it held an invalid signature) and updates the mode.</summary>
    public void Record(bool failed)
    {
        _shareQ16 += ((failed ? One : 0) - _shareQ16) >> WeightShift;
        if (!Singly && _shareQ16 > EnterSinglePercent * One / 100) Singly = true;
        else if (Singly && _shareQ16 < LeaveSinglePercent * One / 100) Singly = false;
    }
}
