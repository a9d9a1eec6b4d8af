using Fast.Node.Rpc;

namespace Fast.Node.Validator;

/// <summary>getLargestAccounts' view of the validator: its background-scanned ranking (Validator.LargestAccounts.cs).</summary>
public sealed partial class ValidatorRpcBackend
{
    public LargestAccountsCache? LargestAccounts => validator.LargestAccounts;
}
