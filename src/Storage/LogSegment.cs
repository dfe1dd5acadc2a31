using System.Buffers;
using System.Globalization;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Storage;

/// <summary>
/// One segment of a partition log: <c>&lt;base offset, 20 digits&gt;.log</c> holding whole magic-2
/// record batches back to back, exactly as they travel on the wire, with its sparse
/// <see cref="OffsetIndex"/> (<c>.index</c>) and <see cref="TimeIndex"/> (<c>.timeindex</c>).
/// Invariants: batches are in offset order, every batch's offsets are at or above the base offset and
/// less than 2^31 above it (index entries store them as int32), and the file holds nothing after
/// the last batch once the segment is loaded. Only the last segment of a log (the active one) is
/// appended to; appends come from one writer at a time (the partition lock), reads take no lock
/// and see the bytes below the published <see cref="Size"/>.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    public const string LogSuffix = ".log";

    /// <summary>Added to each file name of a deleted segment until <c>file.delete.delay.ms</c> has passed.</summary>
    public const string DeletedSuffix = ".deleted";

    /// <summary>Added to each file name of a segment the log cleaner is writing.</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>Added to each file name of a cleaned segment while it replaces the segments it was cleaned from.</summary>
    public const string SwapSuffix = ".swap";

    private const int MaxDecompressedBytes = 1 << 30;

    private readonly FileStream _log;
    private readonly long _createdMs;
    private readonly long _rollJitterMs;
    private int _size;

    // Written only under the partition lock (appends, roll, recovery); read under it too.
    private int _bytesSinceLastIndexEntry;
    private TimestampOffset _maxTimestampSoFar;
    private long _rollingBasedTimestamp = -1;

    private LogSegment(string directory, long baseOffset, FileStream log, long createdMs, long rollJitterMs, string fileSuffix)
    {
        BaseOffset = baseOffset;
        _log = log;
        LogPath = log.Name;
        _size = checked((int)RandomAccess.GetLength(log.SafeFileHandle));
        OffsetIndex = new OffsetIndex(Path.Combine(directory, FileName(baseOffset, OffsetIndex.Suffix + fileSuffix)), baseOffset);
        TimeIndex = new TimeIndex(Path.Combine(directory, FileName(baseOffset, TimeIndex.Suffix + fileSuffix)), baseOffset);
        _maxTimestampSoFar = TimeIndex.LastEntry;
        _createdMs = createdMs;
        _rollJitterMs = rollJitterMs;
    }

    public long BaseOffset { get; }

    public string LogPath { get; private set; }

    /// <summary>Bytes of whole batches in the file, published after they are written.</summary>
    public int Size => Volatile.Read(ref _size);

    public FileStream LogFile => _log;

    public OffsetIndex OffsetIndex { get; }

    public TimeIndex TimeIndex { get; }

    /// <summary>The largest timestamp in the segment and the last offset of the batch that first had it (under the partition lock).</summary>
    public TimestampOffset MaxTimestampSoFar => _maxTimestampSoFar;

    /// <summary>What retention by time compares: the largest timestamp, or the file's modification time when no batch has one.</summary>
    public long LargestTimestamp =>
        _maxTimestampSoFar.Timestamp >= 0
            ? _maxTimestampSoFar.Timestamp
            : new DateTimeOffset(LastModifiedUtc).ToUnixTimeMilliseconds();

    public static string FileName(long offset, string suffix) => offset.ToString("D20", CultureInfo.InvariantCulture) + suffix;

    /// <summary>
    /// Creates the files of a new, empty segment, replacing leftovers of an earlier attempt at the same
    /// offset. <paramref name="fileSuffix"/> follows each file's name (the log cleaner writes
    /// <c>.cleaned</c> segments, see <see cref="ChangeFileSuffixes"/>).
    /// </summary>
    public static LogSegment Create(string directory, long baseOffset, LogConfig config, long nowMs, string fileSuffix = "")
    {
        File.Delete(Path.Combine(directory, FileName(baseOffset, OffsetIndex.Suffix + fileSuffix)));
        File.Delete(Path.Combine(directory, FileName(baseOffset, TimeIndex.Suffix + fileSuffix)));
        var log = OpenLogFile(Path.Combine(directory, FileName(baseOffset, LogSuffix + fileSuffix)), FileMode.Create);
        var segment = new LogSegment(directory, baseOffset, log, nowMs, RollJitter(config), fileSuffix);
        segment.OffsetIndex.Resize(config.SegmentIndexBytes);
        segment.TimeIndex.Resize(config.SegmentIndexBytes);
        return segment;
    }

    /// <summary>
    /// Opens an existing segment with its indexes as they are on disk (missing ones are created
    /// empty; <paramref name="indexesExisted"/> tells). Loading decides whether they can be trusted.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, LogConfig config, long nowMs, out bool indexesExisted, string fileSuffix = "")
    {
        indexesExisted = File.Exists(Path.Combine(directory, FileName(baseOffset, OffsetIndex.Suffix + fileSuffix))) &&
            File.Exists(Path.Combine(directory, FileName(baseOffset, TimeIndex.Suffix + fileSuffix)));
        var log = OpenLogFile(Path.Combine(directory, FileName(baseOffset, LogSuffix + fileSuffix)), FileMode.Open);
        if (RandomAccess.GetLength(log.SafeFileHandle) > int.MaxValue)
        {
            log.Dispose();
            throw new InvalidDataException($"Segment {log.Name} is larger than 2 GiB");
        }
        return new LogSegment(directory, baseOffset, log, nowMs, RollJitter(config), fileSuffix);
    }

    // Asynchronous: SendPacketsElement (sendfile for fetch) accepts only async FileStreams; on Linux
    // it changes nothing for the synchronous and positional I/O used here.
    private static FileStream OpenLogFile(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);

    private static long RollJitter(LogConfig config) =>
        config.SegmentJitterMs <= 0 ? 0 : Random.Shared.NextInt64(Math.Min(config.SegmentJitterMs, config.MaxSegmentMs));

    /// <summary>
    /// Writes <paramref name="batches"/> (whole batches, offsets already assigned) at the end with one
    /// positional write, then indexes them and publishes the new size. Caller holds the partition lock.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes)
    {
        int position = _size;
        RandomAccess.Write(_log.SafeFileHandle, batches, position);
        for (int offsetInSet = 0; offsetInSet < batches.Length;)
        {
            var batch = batches[offsetInSet..];
            IndexBatch(position + offsetInSet, batch, indexIntervalBytes);
            offsetInSet += RecordBatchHeader.SizeInBytes(batch);
        }
        Volatile.Write(ref _size, position + batches.Length);
    }

    /// <summary>Index bookkeeping for one appended batch, as Kafka does it: an entry once more than the interval was written since the last.</summary>
    private void IndexBatch(int position, ReadOnlySpan<byte> header, int indexIntervalBytes)
    {
        long batchMaxTimestamp = RecordBatchHeader.MaxTimestamp(header);
        long batchLastOffset = RecordBatchHeader.LastOffset(header);
        if (position == 0)
        {
            _rollingBasedTimestamp = batchMaxTimestamp;
        }
        if (batchMaxTimestamp > _maxTimestampSoFar.Timestamp)
        {
            _maxTimestampSoFar = new TimestampOffset(batchMaxTimestamp, batchLastOffset);
        }
        if (_bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            if (!OffsetIndex.IsFull)
            {
                OffsetIndex.Append(batchLastOffset, position);
            }
            TimeIndex.MaybeAppend(_maxTimestampSoFar.Timestamp, _maxTimestampSoFar.Offset);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += RecordBatchHeader.SizeInBytes(header);
    }

    /// <summary>Whether an append of <paramref name="messagesSize"/> bytes must go to a new segment (Kafka's shouldRoll).</summary>
    public bool ShouldRoll(LogConfig config, int messagesSize, int batchCount, long lastOffset, long maxTimestampInMessages, long nowMs)
    {
        int size = _size;
        if (size == 0)
        {
            return false;
        }
        long timeWaited = _rollingBasedTimestamp >= 0 ? maxTimestampInMessages - _rollingBasedTimestamp : nowMs - _createdMs;
        return size > (long)config.SegmentBytes - messagesSize
            || timeWaited > config.MaxSegmentMs - _rollJitterMs
            || OffsetIndex.MaxEntries - OffsetIndex.Entries < batchCount
            || TimeIndex.IsFull
            || lastOffset - BaseOffset > int.MaxValue;
    }

    /// <summary>
    /// Finds the batch holding <paramref name="startOffset"/> and returns it and the whole batches
    /// after it that fit in <paramref name="maxBytes"/> and end below <paramref name="upperBoundOffset"/>.
    /// False when no batch here reaches <paramref name="startOffset"/> (the caller moves to the next
    /// segment). Records come back empty when that batch crosses the upper bound, or is larger than
    /// <paramref name="maxBytes"/> without <paramref name="minOneMessage"/>. Lock-free: the caller read
    /// the log end offset before calling, and every batch below it lies below <see cref="Size"/>.
    /// </summary>
    public bool TryRead(long startOffset, int maxBytes, long upperBoundOffset, bool minOneMessage, out BaseRecords records)
    {
        int size = Size;
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        long position = OffsetIndex.Lookup(startOffset).Position;
        int batchSize;
        while (true)
        {
            if (position >= size || !TryReadHeader(position, header))
            {
                records = MemoryRecords.Empty;
                return false;
            }
            batchSize = RecordBatchHeader.SizeInBytes(header);
            if (RecordBatchHeader.LastOffset(header) >= startOffset)
            {
                break;
            }
            position += batchSize;
        }
        records = MemoryRecords.Empty;
        if (RecordBatchHeader.LastOffset(header) >= upperBoundOffset)
        {
            return true;
        }
        long limit = position + Math.Max(maxBytes, 0);
        if (batchSize > maxBytes)
        {
            if (!minOneMessage)
            {
                return true;
            }
            limit = position + batchSize;
        }
        long end = position + batchSize;
        // Batches before an index entry that lies below both limits are all returned: jump to it.
        if (OffsetIndex.LastEntryBelow(upperBoundOffset, limit) is { } jump && jump.Position > end)
        {
            end = jump.Position;
        }
        while (end < size && TryReadHeader(end, header))
        {
            int nextSize = RecordBatchHeader.SizeInBytes(header);
            if (RecordBatchHeader.LastOffset(header) >= upperBoundOffset || end + nextSize > limit)
            {
                break;
            }
            end += nextSize;
        }
        records = new FileRecords(_log, position, (int)(end - position));
        return true;
    }

    /// <summary>
    /// The first record at or after <paramref name="startOffset"/> whose timestamp is at least
    /// <paramref name="targetTimestamp"/> (time index, then offset index, then batch headers, then the
    /// records of the one batch), or <c>null</c> when this segment has none.
    /// </summary>
    public TimestampAndOffset? FindOffsetByTimestamp(long targetTimestamp, long startOffset)
    {
        var timestampOffset = TimeIndex.Lookup(targetTimestamp);
        long position = OffsetIndex.Lookup(Math.Max(timestampOffset.Offset, startOffset)).Position;
        int size = Size;
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        for (; position < size && TryReadHeader(position, header); position += RecordBatchHeader.SizeInBytes(header))
        {
            if (RecordBatchHeader.MaxTimestamp(header) >= targetTimestamp && RecordBatchHeader.LastOffset(header) >= startOffset &&
                FindRecord(position, RecordBatchHeader.SizeInBytes(header), startOffset, targetTimestamp, exactTimestamp: false) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>The first record carrying <paramref name="maxTimestamp"/>, the segment's largest timestamp, whose batch last offset is given.</summary>
    public TimestampAndOffset? FindOffsetOfMaxTimestamp(TimestampOffset maxTimestamp)
    {
        long position = OffsetIndex.Lookup(maxTimestamp.Offset).Position;
        int size = Size;
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        for (; position < size && TryReadHeader(position, header); position += RecordBatchHeader.SizeInBytes(header))
        {
            if (RecordBatchHeader.MaxTimestamp(header) == maxTimestamp.Timestamp)
            {
                return FindRecord(position, RecordBatchHeader.SizeInBytes(header), BaseOffset, maxTimestamp.Timestamp, exactTimestamp: true);
            }
        }
        return null;
    }

    /// <summary>Reads one batch and walks its records (decompressing if needed) for the first match.</summary>
    private TimestampAndOffset? FindRecord(long position, int batchSize, long startOffset, long timestamp, bool exactTimestamp)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(batchSize);
        try
        {
            var batch = buffer.AsSpan(0, batchSize);
            ReadFully(position, batch);
            long baseOffset = RecordBatchHeader.BaseOffset(batch);
            int leaderEpoch = RecordBatchHeader.PartitionLeaderEpoch(batch);
            bool logAppendTime = (RecordBatchHeader.Attributes(batch) & RecordBatchHeader.TimestampTypeMask) != 0;
            long baseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
            long maxTimestamp = RecordBatchHeader.MaxTimestamp(batch);
            var status = RecordBatchPayload.Open(batch, MaxDecompressedBytes, out var payload);
            if (status != DecompressionStatus.Done)
            {
                throw new InvalidDataException($"Batch at {position} in {LogPath} cannot be decompressed: {status}");
            }
            using (payload)
            {
                foreach (var record in payload)
                {
                    long offset = baseOffset + record.OffsetDelta;
                    long recordTimestamp = logAppendTime ? maxTimestamp : baseTimestamp + record.TimestampDelta;
                    bool matches = exactTimestamp ? recordTimestamp == timestamp : recordTimestamp >= timestamp;
                    if (offset >= startOffset && matches)
                    {
                        return new TimestampAndOffset(recordTimestamp, offset, leaderEpoch);
                    }
                }
            }
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the 61-byte batch header at <paramref name="position"/>; false if the file ends first.</summary>
    public bool TryReadHeader(long position, Span<byte> header)
    {
        int total = 0;
        while (total < header.Length)
        {
            int read = RandomAccess.Read(_log.SafeFileHandle, header[total..], position + total);
            if (read == 0)
            {
                return false;
            }
            total += read;
        }
        return true;
    }

    private void ReadFully(long position, Span<byte> destination)
    {
        if (!TryReadHeader(position, destination))
        {
            throw new EndOfStreamException($"{LogPath} ends inside the batch at {position}");
        }
    }

    /// <summary>
    /// The offset after the last batch, for a segment loaded without recovery: scans the batch
    /// headers after the last offset index entry, and takes the largest timestamp and the first
    /// batch's timestamp on the way. <c>null</c> when the tail is not whole batches (then it needs recovery).
    /// </summary>
    public long? LoadNextOffset()
    {
        int size = _size;
        var last = OffsetIndex.LastEntry;
        long position = last.Position;
        long nextOffset = OffsetIndex.Entries == 0 ? BaseOffset : last.Offset + 1;
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        if (size > 0)
        {
            if (!TryReadHeader(0, header))
            {
                return null;
            }
            _rollingBasedTimestamp = RecordBatchHeader.MaxTimestamp(header);
        }
        while (position < size)
        {
            if (!TryReadHeader(position, header) || RecordBatchHeader.Magic(header) != RecordBatchHeader.CurrentMagic ||
                RecordBatchHeader.BatchLength(header) < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead ||
                position + RecordBatchHeader.SizeInBytes(header) > size)
            {
                return null;
            }
            long batchMaxTimestamp = RecordBatchHeader.MaxTimestamp(header);
            if (batchMaxTimestamp > _maxTimestampSoFar.Timestamp)
            {
                _maxTimestampSoFar = new TimestampOffset(batchMaxTimestamp, RecordBatchHeader.LastOffset(header));
            }
            nextOffset = RecordBatchHeader.LastOffset(header) + 1;
            position += RecordBatchHeader.SizeInBytes(header);
        }
        _bytesSinceLastIndexEntry = size - last.Position;
        return nextOffset;
    }

    /// <summary>
    /// Validates every batch from the start (length, magic, CRC-32C, offsets increasing), rebuilds
    /// both indexes from them, and truncates the file at the first batch that fails: what a crash
    /// can leave is a torn or unwritten tail. Returns the bytes cut off and the offset after the
    /// last good batch (<see cref="BaseOffset"/> when none).
    /// </summary>
    public (long TruncatedBytes, long NextOffset) Recover(LogConfig config)
    {
        OffsetIndex.Reset(config.SegmentIndexBytes);
        TimeIndex.Reset(config.SegmentIndexBytes);
        _maxTimestampSoFar = TimestampOffset.Unknown(BaseOffset);
        _bytesSinceLastIndexEntry = 0;
        _rollingBasedTimestamp = -1;
        long fileSize = RandomAccess.GetLength(_log.SafeFileHandle);
        long nextOffset = BaseOffset;
        int position = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (position < fileSize)
            {
                var header = buffer.AsSpan(0, RecordBatchHeader.Size);
                if (fileSize - position < RecordBatchHeader.Size || !TryReadHeader(position, header) ||
                    RecordBatchHeader.Magic(header) != RecordBatchHeader.CurrentMagic ||
                    RecordBatchHeader.BatchLength(header) < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead ||
                    position + (long)RecordBatchHeader.SizeInBytes(header) > fileSize)
                {
                    break;
                }
                int batchSize = RecordBatchHeader.SizeInBytes(header);
                if (buffer.Length < batchSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(batchSize);
                }
                var batch = buffer.AsSpan(0, batchSize);
                ReadFully(position, batch);
                long batchBaseOffset = RecordBatchHeader.BaseOffset(batch);
                if (!RecordBatchHeader.IsCrcValid(batch) || batchBaseOffset < nextOffset ||
                    RecordBatchHeader.LastOffsetDelta(batch) < 0 || RecordBatchHeader.LastOffset(batch) - BaseOffset > int.MaxValue)
                {
                    break;
                }
                IndexBatch(position, batch, config.IndexIntervalBytes);
                nextOffset = RecordBatchHeader.LastOffset(batch) + 1;
                position += batchSize;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        long truncated = fileSize - position;
        if (truncated > 0)
        {
            RandomAccess.SetLength(_log.SafeFileHandle, position);
        }
        Volatile.Write(ref _size, position);
        return (truncated, nextOffset);
    }

    /// <summary>The segment stops taking appends: record its largest timestamp in the time index and trim both indexes.</summary>
    public void OnBecomeInactive()
    {
        TimeIndex.MaybeAppend(_maxTimestampSoFar.Timestamp, _maxTimestampSoFar.Offset, skipFullCheck: true);
        OffsetIndex.TrimToValidSize();
        TimeIndex.TrimToValidSize();
    }

    /// <summary>Room for index entries again (a loaded segment that becomes the active one).</summary>
    public void ResizeIndexes(int maxIndexSize)
    {
        OffsetIndex.Resize(maxIndexSize);
        TimeIndex.Resize(maxIndexSize);
    }

    /// <summary>fsyncs the log file and both indexes.</summary>
    public void Flush()
    {
        RandomAccess.FlushToDisk(_log.SafeFileHandle);
        OffsetIndex.Flush();
        TimeIndex.Flush();
    }

    /// <summary>
    /// Renames the files to <c>*.deleted</c>; open handles (and fetches using them) keep working. An
    /// older deleted segment at the same base offset (the log cleaner reuses base offsets) is
    /// replaced: its open handles keep working too.
    /// </summary>
    public void RenameToDeleted() => ChangeFileSuffixes("", DeletedSuffix);

    /// <summary>
    /// Renames the log file, then both indexes, from names ending in <paramref name="oldSuffix"/> to
    /// names ending in <paramref name="newSuffix"/>, replacing files of those names (Kafka's
    /// changeFileSuffixes). Not atomic as a whole: <see cref="LogLoader"/> handles a crash between renames.
    /// </summary>
    public void ChangeFileSuffixes(string oldSuffix, string newSuffix)
    {
        string logPath = ReplaceSuffix(LogPath, oldSuffix, newSuffix);
        File.Move(LogPath, logPath, overwrite: true);
        LogPath = logPath;
        OffsetIndex.RenameTo(ReplaceSuffix(OffsetIndex.Path, oldSuffix, newSuffix));
        TimeIndex.RenameTo(ReplaceSuffix(TimeIndex.Path, oldSuffix, newSuffix));
    }

    private static string ReplaceSuffix(string path, string oldSuffix, string newSuffix)
    {
        if (!path.EndsWith(oldSuffix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} does not end with '{oldSuffix}'");
        }
        return path[..^oldSuffix.Length] + newSuffix;
    }

    /// <summary>The log file's modification time (what retention falls back to when no batch has a timestamp).</summary>
    public DateTime LastModifiedUtc
    {
        get => File.GetLastWriteTimeUtc(LogPath);
        set => File.SetLastWriteTimeUtc(LogPath, value);
    }

    /// <summary>Removes the files; open handles stay usable until <see cref="Dispose"/>.</summary>
    public void DeleteFiles()
    {
        File.Delete(LogPath);
        File.Delete(OffsetIndex.Path);
        File.Delete(TimeIndex.Path);
    }

    public void Dispose()
    {
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
        _log.Dispose();
    }

    public override string ToString() => LogPath;
}
