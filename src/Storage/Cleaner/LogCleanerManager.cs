using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// The log cleaner's bookkeeping (Kafka's LogCleanerManager): the <c>cleaner-offset-checkpoint</c>
/// file (per partition, the first dirty offset: where the last pass stopped; Kafka's checkpoint
/// format, see <see cref="OffsetCheckpointFile"/>), which logs are being cleaned or trimmed by
/// retention (never both at once), which are paused for deletion, which failed and are skipped
/// until restart, and which log is dirtiest.
/// </summary>
internal sealed class LogCleanerManager
{
    public const string CheckpointFileName = "cleaner-offset-checkpoint";

    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, LogCleaningState> _states = [];
    private readonly HashSet<TopicPartition> _uncleanable = [];
    private readonly OffsetCheckpointFile _checkpointFile;
    private readonly Dictionary<TopicPartition, long> _checkpoints;

    public LogCleanerManager(string logDirectory, Action<string> report)
    {
        _checkpointFile = new OffsetCheckpointFile(Path.Combine(logDirectory, CheckpointFileName));
        try
        {
            _checkpoints = _checkpointFile.Read();
        }
        catch (InvalidDataException e)
        {
            report($"{e.Message}; compacted logs are cleaned from their start");
            _checkpoints = [];
        }
    }

    /// <summary>The first dirty offset recorded for a log, or <c>null</c> when it was never cleaned.</summary>
    public long? Checkpoint(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _checkpoints.TryGetValue(topicPartition, out long offset) ? offset : null;
        }
    }

    /// <summary>
    /// Picks the compacted log with the largest cleanable ratio among those above their
    /// <c>min.cleanable.dirty.ratio</c>, or with records older than <c>max.compaction.lag.ms</c>, and
    /// marks it in progress (Kafka's grabFilthiestCompactedLog). <c>null</c> when none qualifies.
    /// </summary>
    /// <param name="isCurrent">
    /// Whether a log is still the log manager's log of its partition, checked under the lock that
    /// deletion's <see cref="AbortAndPauseCleaning"/> takes: a log deleted after
    /// <paramref name="logs"/> was listed is never picked.
    /// </param>
    public LogToClean? GrabFilthiestCompactedLog(IEnumerable<PartitionLog> logs, Func<PartitionLog, bool> isCurrent, long nowMs)
    {
        lock (_lock)
        {
            LogToClean? filthiest = null;
            foreach (var log in logs)
            {
                if ((log.Config.CleanupPolicy & CleanupPolicy.Compact) == 0 || _states.ContainsKey(log.TopicPartition) ||
                    _uncleanable.Contains(log.TopicPartition) || !isCurrent(log))
                {
                    continue;
                }
                var candidate = CleanableOffsets(log, nowMs);
                if (candidate.TotalBytes == 0 ||
                    !((candidate.NeedCompactionNow && candidate.CleanableBytes > 0) || candidate.CleanableRatio > log.Config.MinCleanableDirtyRatio))
                {
                    continue;
                }
                if (filthiest is null || candidate.CleanableRatio > filthiest.CleanableRatio)
                {
                    filthiest = candidate;
                }
            }
            if (filthiest is not null)
            {
                _states[filthiest.Log.TopicPartition] = LogCleaningState.InProgress;
            }
            return filthiest;
        }
    }

    /// <summary>
    /// Marks <paramref name="log"/> in progress for a pass requested directly (whatever its dirty
    /// ratio), waiting while retention works on it. <c>null</c> when it is paused for deletion or
    /// no longer current (see <see cref="GrabFilthiestCompactedLog"/>).
    /// </summary>
    public LogToClean? BeginCleaning(PartitionLog log, Func<PartitionLog, bool> isCurrent, long nowMs)
    {
        lock (_lock)
        {
            while (_states.TryGetValue(log.TopicPartition, out var state))
            {
                if (state == LogCleaningState.Paused)
                {
                    return null;
                }
                Monitor.Wait(_lock);
            }
            if (!isCurrent(log))
            {
                return null;
            }
            _states[log.TopicPartition] = LogCleaningState.InProgress;
            return CleanableOffsets(log, nowMs);
        }
    }

    /// <summary>Throws <see cref="LogCleaningAbortedException"/> once the log's cleaning has been aborted.</summary>
    public void CheckCleaningAborted(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            if (_states.GetValueOrDefault(topicPartition) == LogCleaningState.Aborted)
            {
                throw new LogCleaningAbortedException($"Cleaning of {topicPartition} was aborted");
            }
        }
    }

    /// <summary>Ends a pass; a finished one records <paramref name="endOffset"/> as the log's checkpoint and writes the file.</summary>
    /// <param name="logExists">Filters the file's entries to logs that still exist.</param>
    public void DoneCleaning(TopicPartition topicPartition, long? endOffset, Func<TopicPartition, bool> logExists)
    {
        lock (_lock)
        {
            try
            {
                if (endOffset is { } offset && _states.GetValueOrDefault(topicPartition) == LogCleaningState.InProgress)
                {
                    _checkpoints[topicPartition] = offset;
                    WriteCheckpoints(logExists);
                }
            }
            finally
            {
                Done(topicPartition);
            }
        }
    }

    /// <summary>Claims a log for a retention run; false while it is being cleaned (retention skips it this time).</summary>
    public bool TryBeginRetention(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _states.TryAdd(topicPartition, LogCleaningState.InProgress);
        }
    }

    public void DoneRetention(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            Done(topicPartition);
        }
    }

    /// <summary>
    /// Stops cleaning and retention of a log for good (it is being deleted): waits until a pass or
    /// retention run in progress has stopped.
    /// </summary>
    public void AbortAndPauseCleaning(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            if (!_states.TryGetValue(topicPartition, out var state))
            {
                _states[topicPartition] = LogCleaningState.Paused;
                return;
            }
            if (state == LogCleaningState.InProgress)
            {
                _states[topicPartition] = LogCleaningState.Aborted;
            }
            while (_states.GetValueOrDefault(topicPartition) != LogCleaningState.Paused)
            {
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>Forgets a deleted log: its state, its uncleanable mark and its checkpoint entry.</summary>
    public void RemoveLog(TopicPartition topicPartition, Func<TopicPartition, bool> logExists)
    {
        lock (_lock)
        {
            _states.Remove(topicPartition);
            _uncleanable.Remove(topicPartition);
            if (_checkpoints.Remove(topicPartition))
            {
                WriteCheckpoints(logExists);
            }
        }
    }

    /// <summary>A pass failed unexpectedly: the background cleaner skips the log until the broker restarts (as Kafka does).</summary>
    public void MarkUncleanable(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            _uncleanable.Add(topicPartition);
        }
    }

    public bool IsUncleanable(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _uncleanable.Contains(topicPartition);
        }
    }

    private void Done(TopicPartition topicPartition)
    {
        if (_states.GetValueOrDefault(topicPartition) == LogCleaningState.Aborted)
        {
            _states[topicPartition] = LogCleaningState.Paused;
        }
        else
        {
            _states.Remove(topicPartition);
        }
        Monitor.PulseAll(_lock);
    }

    private void WriteCheckpoints(Func<TopicPartition, bool> logExists)
    {
        var entries = new List<KeyValuePair<TopicPartition, long>>(_checkpoints.Count);
        foreach (var entry in _checkpoints)
        {
            if (logExists(entry.Key))
            {
                entries.Add(entry);
            }
        }
        _checkpointFile.Write(entries);
    }

    /// <summary>
    /// Where the log's dirty section starts and where cleaning must stop (Kafka's cleanableOffsets),
    /// with the byte counts that make its dirty ratio. The first dirty offset is the checkpoint,
    /// moved to the log start offset when retention passed it or when it lies past the log end
    /// (the checkpoint is then rewritten). Cleaning stops at the first segment that is the active
    /// one, holds the high watermark, or has a record newer than <c>min.compaction.lag.ms</c>.
    /// </summary>
    private LogToClean CleanableOffsets(PartitionLog log, long nowMs)
    {
        var config = log.Config;
        var segments = log.Segments.Snapshot;
        long logStartOffset = log.LogStartOffset;
        long firstDirtyOffset = _checkpoints.TryGetValue(log.TopicPartition, out long checkpoint) ? checkpoint : logStartOffset;
        if (firstDirtyOffset < logStartOffset || firstDirtyOffset > log.LogEndOffset)
        {
            firstDirtyOffset = logStartOffset;
            _checkpoints[log.TopicPartition] = firstDirtyOffset;
        }

        int firstDirtyIndex = Math.Max(0, LogSegments.FloorIndex(segments, firstDirtyOffset));
        int uncleanableIndex = Math.Min(segments.Length - 1, Math.Max(0, LogSegments.FloorIndex(segments, log.HighWatermark)));
        if (config.MinCompactionLagMs > 0)
        {
            for (int i = firstDirtyIndex; i < uncleanableIndex; i++)
            {
                if (segments[i].LargestTimestamp > nowMs - config.MinCompactionLagMs)
                {
                    uncleanableIndex = i;
                    break;
                }
            }
        }
        long firstUncleanableOffset = Math.Max(firstDirtyOffset, segments[uncleanableIndex].BaseOffset);

        long cleanBytes = 0, cleanableBytes = 0;
        for (int i = 0; i < segments.Length && segments[i].BaseOffset < firstDirtyOffset; i++)
        {
            cleanBytes += segments[i].Size;
        }
        for (int i = firstDirtyIndex; i < uncleanableIndex; i++)
        {
            cleanableBytes += segments[i].Size;
        }
        bool needCompactionNow = MaxCompactionDelayMs(segments, firstDirtyIndex, config, nowMs) > 0;
        return new LogToClean(log, firstDirtyOffset, firstUncleanableOffset, cleanBytes, cleanableBytes, needCompactionNow);
    }

    /// <summary>
    /// How long past <c>max.compaction.lag.ms</c> the oldest dirty record is (Kafka's
    /// maxCompactionDelay), judged by the first batch timestamp of each dirty segment before the
    /// active one; 0 when none is overdue.
    /// </summary>
    private static long MaxCompactionDelayMs(LogSegment[] segments, int firstDirtyIndex, LogConfig config, long nowMs)
    {
        long cleanUntilMs = nowMs - Math.Max(config.MaxCompactionLagMs, 0);
        long earliest = long.MaxValue;
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        for (int i = firstDirtyIndex; i < segments.Length - 1; i++)
        {
            if (segments[i].Size > 0 && segments[i].TryReadHeader(0, header))
            {
                long timestamp = RecordBatchHeader.MaxTimestamp(header);
                if (timestamp > 0)
                {
                    earliest = Math.Min(earliest, timestamp);
                }
            }
        }
        return earliest < cleanUntilMs ? cleanUntilMs - earliest : 0;
    }

    private enum LogCleaningState
    {
        None,
        InProgress,
        Aborted,
        Paused,
    }
}
