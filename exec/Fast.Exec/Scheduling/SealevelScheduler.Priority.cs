namespace Fast.Exec.Scheduling;

/// <summary>Priority order: what a leader executes first (fee per signature, then arrival).</summary>
public sealed partial class SealevelScheduler
{

    /// <summary>
    /// Orders a leader's transactions by priority — fee per signature, highest first, ties by arrival
    /// (a stable sort) — before they go to <c>Execute</c>. Today every transaction pays
    /// <paramref name="lamportsPerSignature"/> per signature, so this keeps arrival order; prioritisation
    /// fees will change <see cref="FeePerSignature"/> only. Allocates nothing in steady state (pooled keys).
    /// </summary>
    public static void OrderByPriority(Span<VerifiedTransaction> transactions, ulong lamportsPerSignature) =>
        OrderBy(transactions, lamportsPerSignature, FeePerSignature);

    /// <summary>The priority of a transaction: what it pays per signature (u64 lamports).</summary>
    public static ulong FeePerSignature(in VerifiedTransaction transaction, ulong lamportsPerSignature)
    {
        int signatures = Math.Max(1, (int)transaction.Layout.SignatureCount);
        ulong fee = (ulong)signatures * lamportsPerSignature;
        return fee / (ulong)signatures;
    }

    /// <summary>Stable sort by <paramref name="priority"/>, highest first (tests give their own priority).</summary>
    internal static void OrderBy(Span<VerifiedTransaction> transactions, ulong lamportsPerSignature, PriorityFunction priority)
    {
        int n = transactions.Length;
        if (n < 2) return;
        (ulong Priority, int Arrival)[] keys = System.Buffers.ArrayPool<(ulong, int)>.Shared.Rent(n);
        VerifiedTransaction[] copy = System.Buffers.ArrayPool<VerifiedTransaction>.Shared.Rent(n);
        try
        {
            bool ordered = true;
            for (int i = 0; i < n; i++)
            {
                keys[i] = (priority(transactions[i], lamportsPerSignature), i);
                if (i > 0 && keys[i].Priority > keys[i - 1].Priority) ordered = false;
            }
            if (ordered) return; // already highest-first (e.g. all equal): arrival order stands
            keys.AsSpan(0, n).Sort(new ByPriority());
            transactions.CopyTo(copy);
            for (int i = 0; i < n; i++) transactions[i] = copy[keys[i].Arrival];
        }
        finally
        {
            System.Buffers.ArrayPool<(ulong, int)>.Shared.Return(keys);
            System.Buffers.ArrayPool<VerifiedTransaction>.Shared.Return(copy, clearArray: true);
        }
    }

    internal delegate ulong PriorityFunction(in VerifiedTransaction transaction, ulong lamportsPerSignature);

    private readonly struct ByPriority : IComparer<(ulong Priority, int Arrival)>
    {
        public int Compare((ulong Priority, int Arrival) x, (ulong Priority, int Arrival) y) =>
            x.Priority != y.Priority ? y.Priority.CompareTo(x.Priority) : x.Arrival.CompareTo(y.Arrival);
    }
}
