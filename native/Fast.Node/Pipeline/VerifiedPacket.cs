using Fast.Core.Transactions;
using Fast.Net.Packets;

namespace Fast.Node.Pipeline;

/// <summary>
/// A packet that parsed as a transaction and whose signatures all verified, with the layout that
/// lets banking rebuild the <see cref="TransactionView"/> without parsing again. The packet slot is
/// still rented: whoever consumes this returns it.
/// </summary>
public readonly record struct VerifiedPacket(Packet Packet, TransactionLayout Layout);
