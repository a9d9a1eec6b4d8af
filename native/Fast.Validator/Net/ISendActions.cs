namespace Fast.Validator.Net;

/// <summary>
/// The action every network-facing machine emits: send these bytes to that peer. The sink copies
/// or queues the bytes before returning (the span is the machine's scratch). Fast.Node batches the
/// sends per destination (sendmmsg); the simulator delivers them through its virtual network.
/// Machines take their sink as a generic struct (<c>ref TSink actions where TSink : struct, ...</c>)
/// so the calls are direct and nothing is boxed.
/// </summary>
public interface ISendActions
{
    void Send(PeerAddress to, ReadOnlySpan<byte> packet);
}
