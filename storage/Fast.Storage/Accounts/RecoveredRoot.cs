namespace Fast.Storage.Accounts;

/// <summary>
/// What a checkpoint holds besides the accounts: the rooted slot it was taken at, and the state
/// the bank layer saved with it (<see cref="AccountsDb.WriteRoot"/>), opaque to storage.
/// </summary>
public sealed record RecoveredRoot(ulong Slot, byte[] State);
