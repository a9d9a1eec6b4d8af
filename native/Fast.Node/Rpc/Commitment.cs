namespace Fast.Node.Rpc;

/// <summary>
/// How settled a read must be: processed (executed in a bank this node has, may still be
/// abandoned), confirmed (its slot is frozen and voted by ≥ 2/3 of stake), finalized (rooted:
/// lockout depth reached; never rolled back).
/// </summary>
public enum Commitment
{
    Processed,
    Confirmed,
    Finalized,
}

public static class CommitmentText
{
    /// <summary>Solana's names, including the deprecated aliases existing tools still send.</summary>
    public static bool TryParse(string? text, out Commitment commitment)
    {
        switch (text)
        {
            case "processed" or "recent":
                commitment = Commitment.Processed;
                return true;
            case "confirmed" or "single" or "singleGossip":
                commitment = Commitment.Confirmed;
                return true;
            case "finalized" or "max" or "root":
                commitment = Commitment.Finalized;
                return true;
            default:
                commitment = Commitment.Finalized;
                return false;
        }
    }

    public static string Name(this Commitment commitment) => commitment switch
    {
        Commitment.Processed => "processed",
        Commitment.Confirmed => "confirmed",
        _ => "finalized",
    };
}
