using System.Text.Json;

namespace Fast.Node.Rpc;

/// <summary>Rent: getMinimumBalanceForRentExemption (the cluster's genesis schedule, docs/block-validity.md).</summary>
public sealed partial class RpcMethods
{
    /// <summary>Solana's <c>getMinimumBalanceForRentExemption(dataLength, {commitment})</c>: the least balance an account of that many data bytes may keep.</summary>
    private RpcError? GetMinimumBalanceForRentExemption(RpcParams p, Utf8JsonWriter w)
    {
        RpcError? error = First(p.RequireCount(1, 2), p.UInt64(0, "data length", out ulong dataLength), ConfigAndCommitment(p, 1, out _, out _));
        if (error is not null) return error;
        if (dataLength > Storage.Accounts.Account.MaxDataLength) return RpcError.Params($"data length {dataLength} is above the {Storage.Accounts.Account.MaxDataLength}-byte account limit");
        w.WriteNumberValue(_backend.MinimumBalanceForRentExemption(dataLength));
        return null;
    }
}
