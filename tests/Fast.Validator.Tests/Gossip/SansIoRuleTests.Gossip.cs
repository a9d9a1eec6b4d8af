using Xunit;

namespace Fast.Validator.Tests;

/// <summary>
/// ARCHITECTURE.md rule 1 for the gossip wire formats in core (core/Fast.Core/Gossip): the machine that
/// uses them is scanned with native/Fast.Validator; this adds the core folder with the same scan.
/// </summary>
public sealed partial class SansIoRuleTests
{
    [Fact]
    public void The_gossip_wire_formats_in_core_use_no_thread_socket_clock_or_unseeded_randomness() =>
        The_machines_folders_use_no_thread_socket_clock_or_unseeded_randomness("core/Fast.Core/Gossip");
}
