using System.Net;

namespace Fast.Net.Ingest;

/// <summary>
/// Counts the open connections of each remote address and refuses one past the per-address cap, so
/// one host cannot take every connection slot of a listener (the TPU's TCP port, the RPC server). An
/// IPv4 address mapped into IPv6 counts as the IPv4 address. Addresses with no open connection are
/// forgotten, so the table holds only live connections.
/// <para>Threads: any (one lock; taken once when a connection opens and once when it closes).</para>
/// </summary>
public sealed class ConnectionsPerAddress(int maxPerAddress)
{
    private readonly Dictionary<IPAddress, int> _open = [];

    public int MaxPerAddress { get; } = maxPerAddress > 0 ? maxPerAddress : throw new ArgumentOutOfRangeException(nameof(maxPerAddress), "at least one connection per address");

    /// <summary>Takes a connection slot for <paramref name="address"/>; false when it already holds <see cref="MaxPerAddress"/>.</summary>
    public bool TryOpen(IPAddress address)
    {
        address = Normalize(address);
        lock (_open)
        {
            _open.TryGetValue(address, out int open);
            if (open >= MaxPerAddress) return false;
            _open[address] = open + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot <see cref="TryOpen"/> took.</summary>
    public void Close(IPAddress address)
    {
        address = Normalize(address);
        lock (_open)
        {
            if (!_open.TryGetValue(address, out int open)) return;
            if (open <= 1) _open.Remove(address);
            else _open[address] = open - 1;
        }
    }

    /// <summary>Open connections of <paramref name="address"/>.</summary>
    public int OpenFrom(IPAddress address)
    {
        address = Normalize(address);
        lock (_open) return _open.GetValueOrDefault(address);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
