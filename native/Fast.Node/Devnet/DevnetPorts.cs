namespace Fast.Node.Devnet;

/// <summary>
/// The ports of validator <c>i</c> in a local devnet: RPC at rpc + 2·i and WebSocket PubSub beside it
/// at rpc + 2·i + 1 (Solana's RPC + 1 convention, so no node's PubSub takes the next node's RPC); a block of 10 from
/// base + 10·i for gossip (+0), TPU UDP (+1), TPU TCP (+2), turbine (+3) and repair (+4).
/// </summary>
public readonly record struct DevnetPorts(int Rpc, int Gossip, int Tpu, int TpuTcp, int Turbine, int Repair)
{
    public static DevnetPorts For(int index, int rpcPort, int basePort)
    {
        int block = basePort + 10 * index;
        return new DevnetPorts(rpcPort + 2 * index, block, block + 1, block + 2, block + 3, block + 4);
    }

    /// <summary>The validator's PubSub port: its RPC port + 1 (the validator's default).</summary>
    public int PubSub => Rpc + 1;
}
