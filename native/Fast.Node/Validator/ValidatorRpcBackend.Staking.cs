using Fast.Exec.Banking;
using Fast.Node.Rpc;

namespace Fast.Node.Validator;

/// <summary>The backend's cold bank reads (staking state, accounts by owner): run on the bank at a commitment under the root lock.</summary>
public sealed partial class ValidatorRpcBackend
{
    public T? ReadBank<T>(Commitment commitment, Func<Bank, T> read, out ulong contextSlot) where T : class? =>
        Node.ReadBank(commitment, read, out contextSlot);
}
