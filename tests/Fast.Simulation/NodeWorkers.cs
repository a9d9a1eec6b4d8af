namespace Fast.Simulation;

/// <summary>
/// The threads the simulated nodes run on (--threads, default the cores). Node i belongs to group
/// i mod threads for the whole run; in a parallel step each group's nodes run their events, one node
/// after another in index order, on that group's thread (group 0 on the event thread). Nodes touch
/// nothing of each other's during a step (packets wait in the sender's outbox, see
/// <see cref="VirtualNetwork"/>), and a group's nodes share its Turbine shuffle and leader schedule
/// caches, which are single-threaded memos of pure functions. So a group changes no answer, only
/// which thread computes it, and the run is the same for any thread count.
/// </summary>
internal sealed class NodeWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done = new(1);
    private Action<int>? _step;
    private volatile bool _stopping;
    private Exception? _failure;

    public NodeWorkers(int groups)
    {
        Groups = Math.Max(1, groups);
        _threads = new Thread[Groups - 1];
        _start = new SemaphoreSlim[Groups - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int group = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(() => Loop(group)) { IsBackground = true, Name = $"sim-nodes-{group}" };
            _threads[i].Start();
        }
    }

    /// <summary>Node groups, one thread each.</summary>
    public int Groups { get; }

    /// <summary>The group node <paramref name="node"/> runs in.</summary>
    public int GroupOf(int node) => node % Groups;

    /// <summary>Runs <paramref name="step"/>(group) for every group, each on its own thread, and returns when all are done.</summary>
    public void RunGroups(Action<int> step)
    {
        if (_threads.Length == 0)
        {
            step(0);
            return;
        }
        _step = step;
        _failure = null;
        _done.Reset(Groups);
        foreach (SemaphoreSlim s in _start) s.Release();
        RunOne(0);
        _done.Wait();
        _step = null;
        if (_failure is not null) throw new InvalidOperationException("a simulated node failed on a node thread", _failure);
    }

    private void RunOne(int group)
    {
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

    private void Loop(int group)
    {
        while (true)
        {
            _start[group - 1].Wait();
            if (_stopping) return;
            RunOne(group);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (SemaphoreSlim s in _start) s.Release();
        foreach (Thread t in _threads) t.Join();
        foreach (SemaphoreSlim s in _start) s.Dispose();
        _done.Dispose();
    }
}
