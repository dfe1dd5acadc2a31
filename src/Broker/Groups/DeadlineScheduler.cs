namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The one timer behind every group deadline (member sessions, the join and sync phases of a
/// rebalance, the initial rebalance delay, pending member ids): a priority queue of due times and
/// a single <see cref="ITimer"/> armed for the earliest. When a deadline is due its work is posted
/// to the group's mailbox, which decides whether it still applies (deadlines are never cancelled;
/// stale ones are recognised and ignored, as Kafka's heartbeat purgatory does with satisfied heartbeats).
/// </summary>
/// <remarks>
/// Heartbeats schedule nothing: a member's session deadline only moves, and its single armed timer
/// re-arms itself when it fires early. So the queue holds about one entry per live member plus a few
/// per rebalancing group, and idle groups hold none.
/// </remarks>
internal sealed class DeadlineScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly PriorityQueue<(ClassicGroup Group, GroupWork Work), long> _queue = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private long _armedForMs = long.MaxValue;
    private bool _disposed;

    public DeadlineScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((DeadlineScheduler)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Deadlines not yet due.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Posts <paramref name="work"/> to <paramref name="group"/>'s mailbox at <paramref name="dueMs"/> (at once if past).</summary>
    public void Schedule(long dueMs, ClassicGroup group, GroupWork work)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _queue.Enqueue((group, work), dueMs);
            if (dueMs < _armedForMs)
            {
                Arm(dueMs);
            }
        }
    }

    private void OnTimer()
    {
        List<(ClassicGroup Group, GroupWork Work)>? due = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            long nowMs = NowMs;
            while (_queue.TryPeek(out var entry, out long dueMs) && dueMs <= nowMs)
            {
                _queue.Dequeue();
                (due ??= []).Add(entry);
            }
            _armedForMs = long.MaxValue;
            if (_queue.TryPeek(out _, out long nextMs))
            {
                Arm(nextMs);
            }
        }
        if (due is not null)
        {
            foreach (var (group, work) in due)
            {
                group.Mailbox.Post(work);
            }
        }
    }

    /// <summary>Arms the timer for <paramref name="dueMs"/> (caller holds the lock); at least 1 ms ahead, so an early tick cannot spin.</summary>
    private void Arm(long dueMs)
    {
        _armedForMs = dueMs;
        long delayMs = Math.Clamp(dueMs - NowMs, 1, uint.MaxValue - 1);
        _timer.Change(TimeSpan.FromMilliseconds(delayMs), Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _queue.Clear();
        }
        _timer.Dispose();
    }
}
