using Fast.Validator.Replay;

namespace Fast.Simulation;

/// <summary>
/// The simulated nodes' replay stages, run side by side on the simulator's threads (issue 11: the
/// 100-validator run on both cores). A node that holds a whole block queues it here; the queued
/// blocks are replayed at the next step boundary (every <see cref="StepNs"/> of virtual time, before
/// any event at or after it), as Fast.Node's replay thread runs beside its network side and
/// finishes a block a little after the last shred arrives. Within a step each node's blocks go
/// through its own <see cref="ReplayMachine"/>, banks, FASTER store and scheduler in arrival order,
/// and nodes touch nothing of each other's, so the nodes are spread over the threads; what a replay
/// means for the rest of the cluster (the leader looking at its new fork tree, which may start a
/// block and send) runs afterwards on the event thread in node order. So the run is the same
/// event for event, and the report byte for byte, for any <c>--threads</c>.
/// </summary>
internal sealed class ReplayStage : IDisposable
{
    /// <summary>Virtual time between two replay steps: the node tick, so a step runs right before the nodes' ticks.</summary>
    public const long StepNs = 20_000_000;

    private readonly SimNode[] _nodes;
    private readonly List<WholeBlock>[] _queued;
    private readonly int[] _ready;
    private int _readyCount;
    private int _next;
    private long _dueNs = long.MaxValue;
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done = new(1);
    private volatile bool _stopping;
    private Exception? _failure;

    public ReplayStage(SimNode[] nodes, int threads)
    {
        _nodes = nodes;
        _queued = new List<WholeBlock>[nodes.Length];
        for (int i = 0; i < _queued.Length; i++) _queued[i] = [];
        _ready = new int[nodes.Length];
        Threads = Math.Clamp(threads, 1, Math.Max(1, nodes.Length));
        _workers = new Thread[Threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"sim-replay-{i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads replaying (the event thread and <c>Threads − 1</c> workers).</summary>
    public int Threads { get; }

    /// <summary>When the queued blocks must be replayed (long.MaxValue: nothing queued).</summary>
    public long DueNs => _dueNs;

    /// <summary>Steps that replayed at least one block.</summary>
    public long Steps { get; private set; }

    /// <summary>A node holds a whole block at <paramref name="nowNs"/>: it is replayed at the next step boundary.</summary>
    public void Enqueue(SimNode node, WholeBlock block, long nowNs)
    {
        List<WholeBlock> queue = _queued[node.Index];
        if (queue.Count == 0) _ready[_readyCount++] = node.Index;
        queue.Add(block);
        long due = (nowNs / StepNs + 1) * StepNs;
        if (due < _dueNs) _dueNs = due;
    }

    /// <summary>Replays every queued block (the event clock stands at the step boundary), then runs the nodes' follow-ups in node order.</summary>
    public void Run()
    {
        if (_readyCount == 0)
        {
            _dueNs = long.MaxValue;
            return;
        }
        Steps++;
        // Node order, whatever order the blocks arrived in: the follow-ups below run in it.
        Array.Sort(_ready, 0, _readyCount);
        _next = 0;
        _failure = null;
        int helpers = Math.Min(_workers.Length, _readyCount - 1);
        if (helpers > 0)
        {
            _done.Reset(helpers + 1);
            _start.Release(helpers);
            ReplayClaimed();
            _done.Signal();
            _done.Wait();
        }
        else
        {
            ReplayClaimed();
        }
        if (_failure is not null) throw new InvalidOperationException("a node's replay failed on a replay thread", _failure);
        for (int i = 0; i < _readyCount; i++)
        {
            SimNode node = _nodes[_ready[i]];
            _queued[node.Index].Clear();
            node.AfterReplayStep();
        }
        _readyCount = 0;
        _dueNs = long.MaxValue;
    }

    private void ReplayClaimed()
    {
        while (true)
        {
            int claim = Interlocked.Increment(ref _next) - 1;
            if (claim >= _readyCount) return;
            int index = _ready[claim];
            try
            {
                foreach (WholeBlock block in _queued[index]) _nodes[index].ReplayQueued(block);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                return;
            }
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping) return;
            ReplayClaimed();
            _done.Signal();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_workers.Length > 0) _start.Release(_workers.Length);
        foreach (Thread worker in _workers) worker.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
