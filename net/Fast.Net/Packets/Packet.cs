namespace Fast.Net.Packets;

/// <summary>How a packet reached us (for counters and, later, per-source quality of service).</summary>
public enum PacketSource : byte
{
    Udp,
    Tcp,
    Local,
}

/// <summary>
/// A received packet: which <see cref="PacketPool"/> slot holds it, how many bytes, and where it
/// came from. 8 bytes, passed by value through the stage queues; the slot is returned by whichever
/// stage finishes with it.
/// </summary>
public readonly record struct Packet(int Slot, ushort Length, PacketSource Source);
