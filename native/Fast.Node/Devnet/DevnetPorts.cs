namespace Fast.Node.Devnet;

/// <summary>
/// The ports of validator <c>i</c> in a local devnet: RPC at rpc + i; a block of 10 from
/// base + 10·i for gossip (+0), TPU UDP (+1), TPU TCP (+2), turbine (+3) and repair (+4).
/// </summary>
public readonly record struct DevnetPorts(int Rpc, int Gossip, int Tpu, int TpuTcp, int Turbine, int Repair)
{
    public static DevnetPorts For(int index, int rpcPort, int basePort)
    {
        int block = basePort + 10 * index;
        return new DevnetPorts(rpcPort + index, block, block + 1, block + 2, block + 3, block + 4);
    }
}
