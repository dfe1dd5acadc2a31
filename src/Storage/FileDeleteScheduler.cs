namespace KafkaSharp.Storage;

/// <summary>
/// Deletes files after <c>file.delete.delay.ms</c>, so fetches that already hold a slice of a
/// deleted segment (or partition) can finish sending it. Closing the files, which unmaps the
/// indexes, waits at least <see cref="ReaderGracePeriodMs"/> even when the delay is shorter: a
/// lock-free reader still looking up an unmapped index would crash the process, while a deleted
/// but open file stays readable. Pending work runs at shutdown; files left by a crash are found by
/// name (<c>*.deleted</c>, <c>*-delete</c>) at the next startup.
/// </summary>
internal sealed class FileDeleteScheduler(TimeProvider time, Action<string> report) : IDisposable
{
    public const long ReaderGracePeriodMs = 30_000;

    // TimeProvider timers accept at most about 49 days.
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly object _lock = new();
    private readonly Dictionary<long, (ITimer Timer, Action Delete)> _pending = [];
    private long _nextId;
    private bool _disposed;

    /// <summary>Runs <paramref name="deleteFiles"/> after <paramref name="delayMs"/> and <paramref name="close"/> no sooner than the grace period.</summary>
    public void Schedule(Action deleteFiles, Action close, long delayMs)
    {
        Schedule(deleteFiles, delayMs);
        Schedule(close, Math.Max(delayMs, ReaderGracePeriodMs));
    }

    private void Schedule(Action delete, long delayMs)
    {
        lock (_lock)
        {
            if (delayMs > 0 && !_disposed)
            {
                long id = _nextId++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(delayMs, MaxDelay.TotalMilliseconds));
                // Created under the lock, so a callback that fires at once waits until the entry exists.
                var timer = time.CreateTimer(_ => Fire(id), null, delay, Timeout.InfiniteTimeSpan);
                _pending[id] = (timer, delete);
                return;
            }
        }
        Run(delete);
    }

    /// <summary>Runs every pending deletion now (shutdown: no reads are in flight any more).</summary>
    public void Dispose()
    {
        List<Action> deletes;
        lock (_lock)
        {
            _disposed = true;
            deletes = new List<Action>(_pending.Count);
            foreach (var (timer, delete) in _pending.Values)
            {
                timer.Dispose();
                deletes.Add(delete);
            }
            _pending.Clear();
        }
        foreach (var delete in deletes)
        {
            Run(delete);
        }
    }

    private void Fire(long id)
    {
        Action delete;
        lock (_lock)
        {
            if (!_pending.Remove(id, out var entry))
            {
                return; // already run by Dispose
            }
            entry.Timer.Dispose();
            delete = entry.Delete;
        }
        Run(delete);
    }

    private void Run(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report($"Deleting files failed (they are retried at the next startup): {e.Message}");
        }
    }
}
