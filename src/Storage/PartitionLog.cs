using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage;

/// <summary>
/// The log of one partition: its segments and the offsets that describe it.
/// <list type="bullet">
/// <item><see cref="LogStartOffset"/>: the first offset clients may read; retention and DeleteRecords advance it.</item>
/// <item><see cref="LogEndOffset"/>: the offset the next appended record gets.</item>
/// <item><see cref="HighWatermark"/>: the end of what consumers may read. On a single node it is the
/// log end offset, or in durable mode the flushed offset (<see cref="RecoveryPoint"/>).</item>
/// <item><see cref="RecoveryPoint"/>: everything below it is fsynced; recovery after a crash starts there.</item>
/// </list>
/// Appends, rolls, retention and closing take the partition lock. Reads take none: they read the
/// volatile offsets first, then a snapshot of the copy-on-write segment list, and only touch bytes
/// that were complete when the offsets were published. The idempotent producers' state
/// (<see cref="ProducerStateManager"/>) is checked and updated under the same lock.
/// </summary>
public sealed class PartitionLog
{
    private readonly object _lock = new();
    private readonly object _flushLock = new(); // taken before _lock when both are needed
    private readonly LogSegments _segments;
    private readonly TimeProvider _time;
    private readonly FlushPolicy _flushPolicy;
    private readonly FileDeleteScheduler _fileDeleteScheduler;
    private readonly Action<PartitionLog>? _highWatermarkAdvanced;
    private readonly ProducerStateManager _producerState;
    private LogConfig _config;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _lastFlushMs;
    private int _segmentCreatedSinceFlush = 1; // the first flush also makes the first segment's directory entry durable
    private bool _closed;
    private TaskCompletionSource _highWatermarkSignal = NewSignal();

    /// <summary>The producer snapshot taken at the last roll, written without fsync; the next flush makes it durable.</summary>
    private string? _unflushedProducerSnapshot;

    /// <summary>1 while a flush request is queued (<see cref="FlushPolicy"/>), so a log is queued once.</summary>
    internal int FlushRequested;

    private PartitionLog(TopicPartition topicPartition, KafkaUuid topicId, string directory, LogConfig config, LogLoader.LoadedLog loaded,
        ProducerStateManager producerState, TimeProvider time, FlushPolicy flushPolicy, FileDeleteScheduler fileDeleteScheduler,
        Action<PartitionLog>? highWatermarkAdvanced)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        Directory = directory;
        _config = config;
        _segments = new LogSegments(loaded.Segments);
        _logStartOffset = loaded.LogStartOffset;
        _logEndOffset = loaded.LogEndOffset;
        _highWatermark = loaded.LogEndOffset;
        _recoveryPoint = loaded.RecoveryPoint;
        _producerState = producerState;
        _time = time;
        _lastFlushMs = NowMs();
        _flushPolicy = flushPolicy;
        _fileDeleteScheduler = fileDeleteScheduler;
        _highWatermarkAdvanced = highWatermarkAdvanced;
    }

    public TopicPartition TopicPartition { get; }

    public KafkaUuid TopicId { get; }

    public string Directory { get; private set; }

    public LogConfig Config => Volatile.Read(ref _config);

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    public long HighWatermark => Volatile.Read(ref _highWatermark);

    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Total bytes of all segments.</summary>
    public long SizeInBytes => _segments.SizeInBytes;

    public int SegmentCount => _segments.Count;

    internal long LastFlushMs => Volatile.Read(ref _lastFlushMs);

    internal LogSegments Segments => _segments;

    /// <summary>The idempotent producers' state; use it only under the partition lock (tests read it after appends).</summary>
    internal ProducerStateManager ProducerState => _producerState;

    /// <summary>The producers this partition keeps state for, copied under the partition lock (DescribeProducers).</summary>
    public List<ActiveProducer> ActiveProducers()
    {
        lock (_lock)
        {
            return _producerState.ActiveProducers();
        }
    }

    /// <summary>Producer id -> the last offset of its newest batch, for the log cleaner (see <see cref="ProducerStateManager.LastBatchOffsets"/>).</summary>
    internal Dictionary<long, long> LastBatchOffsetsOfProducers()
    {
        lock (_lock)
        {
            return _producerState.LastBatchOffsets();
        }
    }

    internal static PartitionLog Load(TopicPartition topicPartition, KafkaUuid topicId, string directory, LogConfig config,
        bool hadCleanShutdown, long recoveryPoint, long logStartOffset, long producerIdExpirationMs, TimeProvider time,
        FlushPolicy flushPolicy, FileDeleteScheduler fileDeleteScheduler, Action<PartitionLog>? highWatermarkAdvanced, Action<string> report)
    {
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var loaded = LogLoader.Load(directory, config, hadCleanShutdown, recoveryPoint, logStartOffset, nowMs, report);
        ProducerStateManager producerState;
        try
        {
            producerState = ProducerStateManager.Load(directory, loaded.Segments, loaded.LogStartOffset, loaded.LogEndOffset,
                hadCleanShutdown, producerIdExpirationMs, nowMs, report);
        }
        catch (Exception)
        {
            foreach (var segment in loaded.Segments)
            {
                segment.Dispose();
            }
            throw;
        }
        return new PartitionLog(topicPartition, topicId, directory, config, loaded, producerState, time, flushPolicy, fileDeleteScheduler,
            highWatermarkAdvanced);
    }

    /// <summary>
    /// Appends the record batches in <paramref name="records"/> (validated by the caller: whole
    /// magic-2 batches with correct CRCs) and assigns their offsets in place, in the caller's buffer:
    /// each batch's BaseOffset and PartitionLeaderEpoch are set (the CRC does not cover them); for
    /// a LogAppendTime topic the timestamp type bit and MaxTimestamp are set too and the CRC is
    /// recomputed. Batches with a producer id are checked against the producer's state: a retry of
    /// a batch already in the log is not written again and the result reports the original batch's
    /// offsets; an old epoch or a sequence gap refuses the append (see <see cref="ProducerStateManager"/>).
    /// The bytes are then written to the active segment with one write, rolling first if they would
    /// not fit. Nothing is allocated per record.
    /// </summary>
    public LogAppendInfo Append(Span<byte> records, int leaderEpoch)
    {
        var config = Config;
        long nowMs = NowMs();
        long logAppendTime = config.MessageTimestampType == TimestampType.LogAppendTime ? nowMs : -1;

        // Walk the batch headers once: framing, sizes, and the broker-side timestamp (no offsets needed yet).
        int batchCount = 0;
        long offsetCount = 0;
        long maxTimestamp = -1;
        for (int position = 0; position < records.Length;)
        {
            var batch = records[position..];
            if (batch.Length < RecordBatchHeader.Size || RecordBatchHeader.BatchLength(batch) < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead ||
                RecordBatchHeader.SizeInBytes(batch) > batch.Length || RecordBatchHeader.LastOffsetDelta(batch) < 0 ||
                RecordBatchHeader.Magic(batch) != RecordBatchHeader.CurrentMagic)
            {
                return LogAppendInfo.Failed(LogAppendError.CorruptRecords);
            }
            int size = RecordBatchHeader.SizeInBytes(batch);
            if (size > config.SegmentBytes)
            {
                return LogAppendInfo.Failed(LogAppendError.RecordBatchTooLarge);
            }
            if (logAppendTime >= 0)
            {
                SetLogAppendTime(batch[..size], logAppendTime);
            }
            maxTimestamp = Math.Max(maxTimestamp, RecordBatchHeader.MaxTimestamp(batch));
            offsetCount += RecordBatchHeader.LastOffsetDelta(batch) + 1L;
            batchCount++;
            position += size;
        }
        if (batchCount == 0)
        {
            return LogAppendInfo.Failed(LogAppendError.CorruptRecords);
        }

        long firstOffset, nextOffset, logStartOffset;
        bool rolled;
        lock (_lock)
        {
            if (_closed)
            {
                return LogAppendInfo.Failed(LogAppendError.LogClosed);
            }
            firstOffset = _logEndOffset;
            nextOffset = firstOffset;
            for (int position = 0; position < records.Length;)
            {
                var batch = records[position..];
                RecordBatchHeader.SetBaseOffset(batch, nextOffset);
                RecordBatchHeader.SetPartitionLeaderEpoch(batch, leaderEpoch);
                nextOffset += RecordBatchHeader.LastOffsetDelta(batch) + 1L;
                position += RecordBatchHeader.SizeInBytes(batch);
            }
            var producerError = _producerState.Validate(records, out var duplicate);
            if (duplicate is { } original)
            {
                return new LogAppendInfo(LogAppendError.None, original.FirstOffset, original.LastOffset, original.Timestamp, _logStartOffset);
            }
            if (producerError != LogAppendError.None)
            {
                return new LogAppendInfo(producerError, -1, -1, -1, _logStartOffset);
            }
            var segment = _segments.Active;
            rolled = segment.ShouldRoll(config, records.Length, batchCount, nextOffset - 1, maxTimestamp, nowMs);
            if (rolled)
            {
                segment = Roll(config, nowMs);
            }
            segment.Append(records, config.IndexIntervalBytes);
            _producerState.Update(records);
            Volatile.Write(ref _logEndOffset, nextOffset);
            if (!_flushPolicy.Durable)
            {
                Volatile.Write(ref _highWatermark, nextOffset);
            }
            logStartOffset = _logStartOffset;
        }
        _flushPolicy.OnAppend(this, rolled);
        if (!_flushPolicy.Durable)
        {
            _highWatermarkAdvanced?.Invoke(this);
        }
        return new LogAppendInfo(LogAppendError.None, firstOffset, nextOffset - 1, logAppendTime, logStartOffset);
    }

    /// <summary>Kafka stamps LogAppendTime batches: timestamp type bit, MaxTimestamp = append time, new CRC.</summary>
    private static void SetLogAppendTime(Span<byte> batch, long logAppendTime)
    {
        short attributes = (short)(RecordBatchHeader.Attributes(batch) | RecordBatchHeader.TimestampTypeMask);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], logAppendTime);
        RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
    }

    /// <summary>
    /// Starts a new active segment at the log end offset and snapshots the producer state there, so
    /// that recovering the new segment starts from that snapshot (caller holds the lock). The snapshot
    /// is fsynced by the next flush, as the segments are, rather than under the lock.
    /// </summary>
    private LogSegment Roll(LogConfig config, long nowMs)
    {
        var previous = _segments.Active;
        var next = LogSegment.Create(Directory, _logEndOffset, config, nowMs);
        previous.OnBecomeInactive();
        _segments.Add(next);
        Volatile.Write(ref _segmentCreatedSinceFlush, 1);
        if (_producerState.TakeSnapshot(Directory, _logEndOffset, sync: false) is { } snapshot)
        {
            Volatile.Write(ref _unflushedProducerSnapshot, snapshot);
        }
        return next;
    }

    /// <summary>
    /// Reads whole batches from the one holding <paramref name="fetchOffset"/> (clients skip the
    /// records before it), up to <paramref name="maxBytes"/> (the first batch even if larger when
    /// <paramref name="minOneMessage"/>), never including a batch that reaches
    /// <paramref name="maxOffset"/> (the high watermark, or the last stable offset for
    /// read_committed) or the log end offset. A fetch offset outside [LogStartOffset, LogEndOffset]
    /// is reported as <see cref="LogReadResult.OffsetOutOfRange"/>. Takes no lock.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, long maxOffset, bool minOneMessage)
    {
        long highWatermark = HighWatermark;
        long logEndOffset = LogEndOffset;
        long logStartOffset = LogStartOffset;
        if (fetchOffset < logStartOffset || fetchOffset > logEndOffset)
        {
            return new LogReadResult(true, MemoryRecords.Empty, logStartOffset, highWatermark, logEndOffset);
        }
        long upperBound = Math.Min(maxOffset, logEndOffset);
        if (fetchOffset < upperBound)
        {
            var segment = _segments.FloorSegment(fetchOffset);
            if (segment is null)
            {
                // Retention removed the segment between reading the log start offset and the list.
                return new LogReadResult(true, MemoryRecords.Empty, LogStartOffset, highWatermark, logEndOffset);
            }
            // A fetch offset at the end of a segment is the first offset of the next.
            for (; segment is not null; segment = _segments.HigherSegment(segment))
            {
                if (segment.TryRead(fetchOffset, maxBytes, upperBound, minOneMessage, out var records))
                {
                    return new LogReadResult(false, records, logStartOffset, highWatermark, logEndOffset);
                }
            }
        }
        return new LogReadResult(false, MemoryRecords.Empty, logStartOffset, highWatermark, logEndOffset);
    }

    /// <summary>
    /// ListOffsets: <see cref="ListOffsetsTimestamp.Earliest"/> and EarliestLocal give the log start
    /// offset, <see cref="ListOffsetsTimestamp.Latest"/> gives <paramref name="maxOffset"/> (the last
    /// fetchable offset: high watermark or last stable offset), LatestTiered gives -1 (no tiered
    /// storage), <see cref="ListOffsetsTimestamp.MaxTimestamp"/> the record with the largest
    /// timestamp, any other value the first record whose timestamp is at or after it. <c>null</c>
    /// when no record below <paramref name="maxOffset"/> qualifies.
    /// </summary>
    public TimestampAndOffset? FetchOffsetByTimestamp(long timestamp, long maxOffset)
    {
        TimestampAndOffset? found;
        switch (timestamp)
        {
            case ListOffsetsTimestamp.Earliest or ListOffsetsTimestamp.EarliestLocal:
                return new TimestampAndOffset(TimestampAndOffset.NoTimestamp, LogStartOffset, TimestampAndOffset.NoLeaderEpoch);
            case ListOffsetsTimestamp.Latest:
                return new TimestampAndOffset(TimestampAndOffset.NoTimestamp, Math.Min(maxOffset, LogEndOffset), TimestampAndOffset.NoLeaderEpoch);
            case ListOffsetsTimestamp.LatestTiered:
                return new TimestampAndOffset(TimestampAndOffset.NoTimestamp, -1, TimestampAndOffset.NoLeaderEpoch);
            case ListOffsetsTimestamp.MaxTimestamp:
                found = FindOffsetOfMaxTimestamp();
                break;
            default:
                found = FindOffsetByTimestamp(timestamp);
                break;
        }
        return found is { } result && result.Offset < maxOffset ? result : null;
    }

    private TimestampAndOffset? FindOffsetOfMaxTimestamp()
    {
        LogSegment? segment = null;
        TimestampOffset max = default;
        lock (_lock)
        {
            foreach (var candidate in _segments.Snapshot)
            {
                if (segment is null || candidate.MaxTimestampSoFar.Timestamp > max.Timestamp)
                {
                    segment = candidate;
                    max = candidate.MaxTimestampSoFar;
                }
            }
        }
        return max.Timestamp < 0 ? null : segment!.FindOffsetOfMaxTimestamp(max);
    }

    private TimestampAndOffset? FindOffsetByTimestamp(long targetTimestamp)
    {
        LogSegment[] segments;
        long[] largestTimestamps;
        lock (_lock)
        {
            segments = _segments.Snapshot;
            largestTimestamps = new long[segments.Length];
            for (int i = 0; i < segments.Length; i++)
            {
                largestTimestamps[i] = segments[i].LargestTimestamp;
            }
        }
        long startOffset = LogStartOffset;
        for (int i = 0; i < segments.Length; i++)
        {
            if (largestTimestamps[i] >= targetTimestamp &&
                segments[i].FindOffsetByTimestamp(targetTimestamp, startOffset) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>
    /// DeleteRecords: makes <paramref name="offset"/> the log start offset (if it is higher) and
    /// deletes the segments wholly below it. False when the offset is beyond the high watermark
    /// (OFFSET_OUT_OF_RANGE). <paramref name="logStartOffset"/> is the resulting low watermark.
    /// </summary>
    public bool TryAdvanceLogStartOffset(long offset, out long logStartOffset)
    {
        lock (_lock)
        {
            if (offset < 0 || offset > HighWatermark)
            {
                logStartOffset = _logStartOffset;
                return false;
            }
            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
            }
        }
        DeleteOldSegments();
        logStartOffset = LogStartOffset;
        return true;
    }

    /// <summary>
    /// Retention: deletes the oldest segments whose newest timestamp is older than
    /// <c>retention.ms</c>, then while the log exceeds <c>retention.bytes</c>, then those wholly below
    /// the log start offset; never the active segment nor one reaching the high watermark. The log
    /// start offset moves to the first remaining segment. Files go after <c>file.delete.delay.ms</c>.
    /// Returns the number of segments deleted.
    /// </summary>
    public int DeleteOldSegments()
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return 0;
                }
                var config = Config;
                var segments = _segments.Snapshot;
                long highWatermark = HighWatermark;
                int count = 0;
                bool Deletable(int i) => i < segments.Length - 1 && segments[i + 1].BaseOffset <= highWatermark;
                if ((config.CleanupPolicy & CleanupPolicy.Delete) != 0)
                {
                    if (config.RetentionMs >= 0)
                    {
                        long nowMs = NowMs();
                        while (Deletable(count) && nowMs - segments[count].LargestTimestamp > config.RetentionMs)
                        {
                            count++;
                        }
                    }
                    if (config.RetentionBytes >= 0)
                    {
                        long excess = -config.RetentionBytes;
                        foreach (var segment in segments)
                        {
                            excess += segment.Size;
                        }
                        for (int i = 0; i < count; i++)
                        {
                            excess -= segments[i].Size;
                        }
                        while (Deletable(count) && excess - segments[count].Size >= 0)
                        {
                            excess -= segments[count].Size;
                            count++;
                        }
                    }
                }
                while (Deletable(count) && segments[count + 1].BaseOffset <= _logStartOffset)
                {
                    count++;
                }
                if (count == 0)
                {
                    return 0;
                }
                _segments.RemoveOldest(count);
                Volatile.Write(ref _logStartOffset, Math.Max(_logStartOffset, segments[count].BaseOffset));
                _producerState.DeleteSnapshotsBelow(Directory, segments[count].BaseOffset);
                for (int i = 0; i < count; i++)
                {
                    var segment = segments[i];
                    segment.RenameToDeleted();
                    _fileDeleteScheduler.Schedule(segment.DeleteFiles, segment.Dispose, config.FileDeleteDelayMs);
                }
                return count;
            }
        }
    }

    /// <summary>
    /// The log cleaner's swap (Kafka's replaceSegments): <paramref name="cleaned"/>, a flushed segment
    /// whose files end in <c>.cleaned</c>, replaces <paramref name="oldSegments"/>, consecutive
    /// segments before the active one starting at the same base offset. Under the partition lock:
    /// the cleaned files become <c>.swap</c>, the segment list is replaced at once (fetches see either
    /// the old segments or the new one), the old files become <c>.deleted</c> (deleted and closed after
    /// <c>file.delete.delay.ms</c>, so fetches holding them finish), and the <c>.swap</c> suffix is
    /// dropped. A crash at any step is completed or rolled back by <see cref="LogLoader"/>. False, with
    /// nothing changed, when the old segments are no longer all in the log (retention or
    /// DeleteRecords removed some meanwhile) or the log is closed.
    /// </summary>
    internal bool ReplaceSegments(LogSegment[] oldSegments, LogSegment cleaned)
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                var segments = _segments.Snapshot;
                int index = Array.IndexOf(segments, oldSegments[0]);
                if (_closed || index < 0 || index + oldSegments.Length >= segments.Length)
                {
                    return false;
                }
                for (int i = 1; i < oldSegments.Length; i++)
                {
                    if (!ReferenceEquals(segments[index + i], oldSegments[i]))
                    {
                        return false;
                    }
                }
                cleaned.ChangeFileSuffixes(LogSegment.CleanedSuffix, LogSegment.SwapSuffix);
                AtomicFile.FlushDirectory(Directory);
                _segments.Replace(index, oldSegments.Length, cleaned);
                var config = Config;
                foreach (var segment in oldSegments)
                {
                    segment.RenameToDeleted();
                    _fileDeleteScheduler.Schedule(segment.DeleteFiles, segment.Dispose, config.FileDeleteDelayMs);
                }
                cleaned.ChangeFileSuffixes(LogSegment.SwapSuffix, "");
                AtomicFile.FlushDirectory(Directory);
                return true;
            }
        }
    }

    /// <summary>
    /// fsyncs every segment written since the recovery point, then advances the recovery point (and,
    /// in durable mode, the high watermark) to the log end offset read before the fsync.
    /// </summary>
    public void Flush()
    {
        long flushedOffset;
        lock (_flushLock)
        {
            if (Volatile.Read(ref _closed))
            {
                return;
            }
            FlushProducerSnapshot();
            flushedOffset = LogEndOffset;
            long recoveryPoint = RecoveryPoint;
            if (flushedOffset > recoveryPoint)
            {
                try
                {
                    var segments = _segments.Snapshot;
                    for (int i = Math.Max(0, LogSegments.FloorIndex(segments, recoveryPoint)); i < segments.Length; i++)
                    {
                        segments[i].Flush();
                    }
                    if (Interlocked.Exchange(ref _segmentCreatedSinceFlush, 0) == 1)
                    {
                        AtomicFile.FlushDirectory(Directory);
                    }
                }
                catch (IOException e)
                {
                    // Durable producers waiting for this data must learn it may not be on disk.
                    Interlocked.Exchange(ref _highWatermarkSignal, NewSignal()).TrySetException(e);
                    throw;
                }
                Volatile.Write(ref _recoveryPoint, flushedOffset);
            }
            Volatile.Write(ref _lastFlushMs, NowMs());
            if (_flushPolicy.Durable && flushedOffset > HighWatermark)
            {
                Volatile.Write(ref _highWatermark, flushedOffset);
                Interlocked.Exchange(ref _highWatermarkSignal, NewSignal()).TrySetResult();
            }
            else
            {
                return;
            }
        }
        _highWatermarkAdvanced?.Invoke(this);
    }

    private void FlushProducerSnapshot()
    {
        if (Interlocked.Exchange(ref _unflushedProducerSnapshot, null) is not { } snapshot)
        {
            return;
        }
        try
        {
            ProducerSnapshotFile.FlushToDisk(snapshot);
        }
        catch (FileNotFoundException)
        {
            // Retention deleted it (its segment went) before it was made durable: nothing to keep.
            return;
        }
        AtomicFile.FlushDirectory(Directory);
    }

    /// <summary>
    /// Writes and fsyncs a producer state snapshot at the log end offset (clean shutdown, before
    /// <see cref="Close"/>), so the next start loads the state without reading the log.
    /// </summary>
    internal void TakeProducerSnapshot()
    {
        lock (_lock)
        {
            if (!_closed)
            {
                _producerState.TakeSnapshot(Directory, _logEndOffset, sync: true);
            }
        }
    }

    /// <summary>Forgets the producers idle for <c>producer.id.expiration.ms</c>; returns how many.</summary>
    public int RemoveExpiredProducers()
    {
        lock (_lock)
        {
            return _producerState.RemoveExpiredProducers(NowMs());
        }
    }

    /// <summary>
    /// Completes once the high watermark reaches <paramref name="offset"/>: at once unless in durable
    /// mode, where it waits for the fsync covering it (the produce path's acks=all wait). Faults with
    /// the IOException if that fsync fails, and with ObjectDisposedException if the log closes first.
    /// </summary>
    public Task WaitForHighWatermarkAsync(long offset, CancellationToken cancellationToken)
    {
        return HighWatermark >= offset ? Task.CompletedTask : WaitAsync();

        async Task WaitAsync()
        {
            while (true)
            {
                var signal = Volatile.Read(ref _highWatermarkSignal);
                if (HighWatermark >= offset)
                {
                    return;
                }
                await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal void UpdateConfig(LogConfig config) => Volatile.Write(ref _config, config);

    /// <summary>Stops appends and closes the files (broker shutdown; call <see cref="Flush"/> first to keep the data).</summary>
    internal void Close()
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }
                _closed = true;
                var segments = _segments.Snapshot;
                segments[^1].OnBecomeInactive();
                foreach (var segment in segments)
                {
                    segment.Dispose();
                }
            }
        }
        Volatile.Read(ref _highWatermarkSignal).TrySetException(new ObjectDisposedException(TopicPartition.ToString()));
    }

    /// <summary>
    /// Stops appends and moves the directory to <paramref name="deletedDirectory"/>; the files stay
    /// open for fetches in flight until <see cref="CloseDeleted"/>.
    /// </summary>
    internal void MarkDeleted(string deletedDirectory)
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                _closed = true;
                System.IO.Directory.Move(Directory, deletedDirectory);
                Directory = deletedDirectory;
            }
        }
        Volatile.Read(ref _highWatermarkSignal).TrySetException(new ObjectDisposedException(TopicPartition.ToString()));
    }

    /// <summary>Removes the directory of a deleted log (its open files stay readable until <see cref="CloseDeleted"/>).</summary>
    internal void DeleteDirectory() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Closes the files of a deleted log.</summary>
    internal void CloseDeleted()
    {
        lock (_flushLock)
        {
            lock (_lock)
            {
                foreach (var segment in _segments.Snapshot)
                {
                    segment.Dispose();
                }
            }
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string ToString() => TopicPartition.ToString();
}
