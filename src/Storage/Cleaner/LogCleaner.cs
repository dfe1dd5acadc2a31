namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// Log compaction for topics with <c>cleanup.policy=compact</c> (or <c>compact,delete</c>), as
/// Kafka's LogCleaner does it: keep at least the latest record of every key, in closed segments
/// only, without changing any offset.
/// <para>
/// One background thread (Kafka's <c>log.cleaner.threads</c> = 1), started by <see cref="LogManager"/>
/// when <c>log.cleaner.enable</c> is true: it cleans the dirtiest compacted log (see
/// <see cref="LogCleanerManager"/>) and, when none needs cleaning, waits
/// <c>log.cleaner.backoff.ms</c>. <see cref="Clean"/> runs one pass over a given log right away
/// (tests, tools); passes never overlap. A pass that fails unexpectedly is reported and the
/// background thread skips that log until the broker restarts; an aborted pass (log deleted,
/// broker stopping, segments removed by retention meanwhile) leaves the log consistent and is
/// simply retried.
/// </para>
/// <para>
/// Not implemented: <c>log.cleaner.io.max.bytes.per.second</c> throttling, more than one cleaner
/// thread, the cleaner metrics, and the transaction rules (aborted records, markers; KafkaSharp has
/// no transactions) described on <see cref="RecordBatchFilter"/>.
/// </para>
/// </summary>
public sealed class LogCleaner
{
    /// <summary>Timers accept at most about 49 days.</summary>
    private const long MaxBackoffMs = uint.MaxValue - 1;

    private readonly LogManager _logs;
    private readonly LogManagerConfig _config;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private readonly LogCleanerManager _manager;
    private readonly object _compactorLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LogCompactor? _compactor;
    private Thread? _thread;

    internal LogCleaner(LogManager logs, LogManagerConfig config, TimeProvider time, Action<string> report)
    {
        _logs = logs;
        _config = config;
        _time = time;
        _report = report;
        _manager = new LogCleanerManager(config.LogDirectory, report);
    }

    /// <summary>
    /// Runs one cleaning pass over the partition's log now, whatever its dirty ratio (the active
    /// segment, the high watermark and <c>min.compaction.lag.ms</c> still bound it; expired
    /// tombstones in the clean section are removed even when nothing is dirty). Waits for a pass in
    /// progress. <c>null</c> when there is no such log, it is not compacted, or the pass was aborted
    /// (the log is being deleted, the broker is stopping, or retention removed segments meanwhile).
    /// </summary>
    /// <exception cref="InvalidDataException">The log holds a batch that cannot be read.</exception>
    public CleanerStats? Clean(TopicPartition topicPartition)
    {
        var log = _logs.GetLog(topicPartition);
        if (log is null || (log.Config.CleanupPolicy & CleanupPolicy.Compact) == 0)
        {
            return null;
        }
        lock (_compactorLock)
        {
            long nowMs = NowMs();
            var cleanable = _manager.BeginCleaning(log, IsCurrent, nowMs);
            if (cleanable is null)
            {
                return null;
            }
            try
            {
                return CleanLog(cleanable, nowMs);
            }
            catch (LogCleaningAbortedException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// One round of the background thread: cleans the dirtiest compacted log that needs it. False
    /// when none did. Failures are reported, not thrown.
    /// </summary>
    internal bool CleanFilthiestLog()
    {
        lock (_compactorLock)
        {
            long nowMs = NowMs();
            LogToClean? cleanable;
            try
            {
                cleanable = _manager.GrabFilthiestCompactedLog(_logs.Logs, IsCurrent, nowMs);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _report($"Choosing a log to clean failed: {e.Message}");
                return false;
            }
            if (cleanable is null)
            {
                return false;
            }
            try
            {
                var stats = CleanLog(cleanable, nowMs);
                if (stats.EndOffset <= cleanable.FirstDirtyOffset)
                {
                    // The first dirty batch alone has more keys than the offset map holds: passes would repeat forever.
                    _manager.MarkUncleanable(cleanable.Log.TopicPartition);
                    _report($"Cleaning {cleanable.Log} made no progress from offset {cleanable.FirstDirtyOffset}: " +
                        "log.cleaner.dedupe.buffer.size is too small for one batch; it is not cleaned again until restart");
                }
            }
            catch (LogCleaningAbortedException)
            {
                // Deleted, stopping, or raced with retention: the log is consistent; a later round retries.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _manager.MarkUncleanable(cleanable.Log.TopicPartition);
                _report($"Cleaning {cleanable.Log} failed; it is not cleaned again until restart: {e.Message}");
            }
            return true;
        }
    }

    /// <summary>The cleaner checkpoint of a log (where its dirty section starts), or <c>null</c> when never cleaned.</summary>
    internal long? Checkpoint(TopicPartition topicPartition) => _manager.Checkpoint(topicPartition);

    internal bool IsUncleanable(TopicPartition topicPartition) => _manager.IsUncleanable(topicPartition);

    /// <summary>Retention for one log, unless the cleaner is rewriting it right now (then the next retention run does it).</summary>
    internal int DeleteOldSegments(PartitionLog log)
    {
        if (!_manager.TryBeginRetention(log.TopicPartition))
        {
            return 0;
        }
        try
        {
            return log.DeleteOldSegments();
        }
        finally
        {
            _manager.DoneRetention(log.TopicPartition);
        }
    }

    /// <summary>Before a log is deleted: stops a pass over it (waiting for it to end) and keeps the cleaner away from it.</summary>
    internal void AbortAndPauseCleaning(TopicPartition topicPartition) => _manager.AbortAndPauseCleaning(topicPartition);

    /// <summary>After a log is deleted: forgets its checkpoint, so a new log of the same name starts dirty.</summary>
    internal void RemoveLog(TopicPartition topicPartition) => _manager.RemoveLog(topicPartition, LogExists);

    /// <summary>Starts the background thread when <c>log.cleaner.enable</c> is set.</summary>
    internal void Start()
    {
        if (!_config.CleanerEnable)
        {
            _stopped.TrySetResult();
            return;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "kafka-log-cleaner-thread-0" };
        _thread.Start();
    }

    /// <summary>Stops the background thread, aborting a pass in progress, and waits for it.</summary>
    internal Task StopAsync()
    {
        _stopping.Cancel();
        if (_thread is null)
        {
            _stopped.TrySetResult();
        }
        return _stopped.Task;
    }

    private void Run()
    {
        var stopping = _stopping.Token;
        var backoff = TimeSpan.FromMilliseconds(Math.Clamp(_config.CleanerBackoffMs, 1, MaxBackoffMs));
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (!CleanFilthiestLog())
                {
                    Task.Delay(backoff, _time, stopping).GetAwaiter().GetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // shutdown
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private CleanerStats CleanLog(LogToClean cleanable, long nowMs)
    {
        var topicPartition = cleanable.Log.TopicPartition;
        long? endOffset = null;
        try
        {
            var stats = Compactor.Clean(cleanable, nowMs, () => CheckDone(topicPartition));
            endOffset = stats.EndOffset;
            return stats;
        }
        finally
        {
            _manager.DoneCleaning(topicPartition, endOffset, LogExists);
        }
    }

    /// <summary>The offset map is allocated on the first pass, so a broker without compacted topics never pays for it.</summary>
    private LogCompactor Compactor => _compactor ??= new LogCompactor(
        new OffsetMap(_config.CleanerDedupeBufferSize, _config.CleanerIoBufferLoadFactor, new KeyDigester()),
        Math.Max(_config.CleanerIoBufferSize / 2, 1));

    private void CheckDone(TopicPartition topicPartition)
    {
        if (_stopping.IsCancellationRequested)
        {
            throw new LogCleaningAbortedException("The log cleaner is stopping");
        }
        _manager.CheckCleaningAborted(topicPartition);
    }

    private bool LogExists(TopicPartition topicPartition) => _logs.GetLog(topicPartition) is not null;

    private bool IsCurrent(PartitionLog log) => ReferenceEquals(_logs.GetLog(log.TopicPartition), log);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
