namespace Fast.Net.Ingest;

/// <summary>
/// What the transaction ingest (TPU) saw and dropped, by reason. Written by the UDP ingest thread
/// and the TCP connection handlers (Interlocked), read by /metrics.
/// </summary>
public sealed class IngestCounters
{
    public long UdpPackets;
    public long TcpFrames;
    /// <summary>Handed to sigverify.</summary>
    public long Accepted;
    /// <summary>The sigverify queue was full (back-pressure drops the newest).</summary>
    public long DroppedQueueFull;
    /// <summary>No free packet buffer.</summary>
    public long DroppedNoBuffer;
    /// <summary>Larger than 1,232 bytes (truncated datagrams, oversized frames) or empty.</summary>
    public long DroppedMalformedSize;
    public long TcpConnectionsAccepted;
    /// <summary>Refused because the listener held its cap of connections.</summary>
    public long TcpConnectionsRejected;
    /// <summary>Refused because their address held its per-address cap of connections.</summary>
    public long TcpConnectionsRejectedPerAddress;
    /// <summary>Connections closed for a protocol violation (bad frame length).</summary>
    public long TcpConnectionsClosedForError;
    /// <summary>Connections closed because no frame completed within the frame timeout (idle or trickling bytes).</summary>
    public long TcpConnectionsTimedOut;
}
