namespace Fast.Simulation;

/// <summary>
/// The threads the simulated nodes run on (--threads, default the cores). Node i belongs to group
/// i mod threads for the whole run; in a parallel step each group's nodes run their events, one node
/// after another in index order, on whichever thread claims the group (the event thread included). Nodes touch
/// nothing of each other's during a step (packets wait in the sender's outbox, see
/// <see cref="VirtualNetwork"/>), and a group's nodes share its Turbine shuffle and leader schedule
/// caches, which are single-threaded memos of pure functions. So a group changes no answer, only
/// which thread computes it, and the run is the same for any thread count.
/// </summary>
internal sealed class NodeWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CountdownEvent _done = new(1);
    private Action<int>? _step;
    private long _claims = int.MaxValue; // (step number << 32) | next group to claim; no group is claimable between steps
    private volatile bool _stopping;
    private Exception? _failure;

    public NodeWorkers(int groups)
    {
        Groups = Math.Max(1, groups);
        _threads = new Thread[Groups - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = $"sim-nodes-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Node groups (as many as threads).</summary>
    public int Groups { get; }

    /// <summary>The group node <paramref name="node"/> runs in.</summary>
    public int GroupOf(int node) => node % Groups;

    /// <summary>
    /// Runs <paramref name="step"/>(group) once for every group and returns when all are done. The
    /// groups are claimed by whichever thread gets there first (the event thread too), so a worker the
    /// machine has not scheduled yet holds nothing up; a group's caches still see one thread at a time.
    /// </summary>
    public void RunGroups(Action<int> step)
    {
        if (_threads.Length == 0)
        {
            for (int g = 0; g < Groups; g++) step(g);
            return;
        }
        _step = step;
        _failure = null;
        _done.Reset(Groups);
        long stepNumber = (Volatile.Read(ref _claims) >> 32) + 1;
        Volatile.Write(ref _claims, stepNumber << 32); // publishes the step: groups 0.. are claimable from here
        _wake.Release(_threads.Length);
        ClaimAndRun();
        _done.Wait();
        if (_failure is not null) throw new InvalidOperationException("a simulated node failed on a node thread", _failure);
    }

    private void ClaimAndRun()
    {
        while (true)
        {
            long claims = Volatile.Read(ref _claims);
            int group = (int)(claims & 0xFFFF_FFFF);
            if (group >= Groups) return;
            if (Interlocked.CompareExchange(ref _claims, claims + 1, claims) != claims) continue;
            try
            {
                _step!(group);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    private void Loop()
    {
        while (true)
        {
            _wake.Wait();
            if (_stopping) return;
            ClaimAndRun();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0) _wake.Release(_threads.Length);
        foreach (Thread t in _threads) t.Join();
        _wake.Dispose();
        _done.Dispose();
    }
}
