using Xunit;

namespace Fast.Exec.Tests.Infrastructure;

/// <summary>Tests that measure the whole process (allocation across threads, memory) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "process-wide measurements";
}
