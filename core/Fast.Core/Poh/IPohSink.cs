namespace Fast.Core.Poh;

/// <summary>
/// Where <see cref="PohGenerator"/> sends what it produces. The generator takes sinks as a struct
/// generic (<c>ref TSink</c>), so a struct sink that publishes into bounded queues is called without
/// virtual dispatch; tests use a class that collects. Called on the generator's thread only.
/// </summary>
public interface IPohSink
{
    /// <summary>An entry: a tick, or a record's transactions mixed in.</summary>
    void OnEntry(in PohEntry entry);

    /// <summary>The tick just passed to <see cref="OnEntry"/> was its slot's last.</summary>
    void OnSlotEnded(in PohSlotEnd slotEnd);

    /// <summary>A record taken from the queue could not be mixed in (never <see cref="PohRecordStatus.Recorded"/> or <see cref="PohRecordStatus.TickDue"/>).</summary>
    void OnRecordRejected(in PohRecord record, PohRecordStatus status);
}
