using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// One cleaning pass over one compacted log (Kafka's <c>Cleaner</c>):
/// <list type="number">
/// <item>Build the <see cref="OffsetMap"/> (key -> latest offset) from the dirty section,
/// [first dirty offset, first uncleanable offset), stopping early if the map fills up. Its last
/// covered offset + 1 becomes the new cleaner checkpoint.</item>
/// <item>Group every segment below that point, the clean section included (that is where expired
/// tombstones go), into runs whose log bytes fit <c>segment.bytes</c>, whose index bytes fit
/// <c>segment.index.bytes</c> and whose offsets fit one segment's int32 relative offsets.</item>
/// <item>Rewrite each group through <see cref="RecordBatchFilter"/> into one segment whose files end
/// in <c>.cleaned</c>, with the base offset of the group's first segment; flush it and give it the
/// last old segment's modification time; swap it in with <see cref="PartitionLog.ReplaceSegments"/>.</item>
/// </list>
/// Offsets never change: batches keep their base and last offsets, so fetches and committed
/// positions stay valid; the log merely has gaps. The active segment is never touched. Not
/// thread-safe: one pass at a time (<see cref="LogCleaner"/> serializes them).
/// </summary>
internal sealed class LogCompactor(OffsetMap map, int ioBufferSize)
{
    /// <summary>Decompressed size limit of one batch (as for timestamp lookups).</summary>
    private const int MaxDecompressedBytes = 1 << 30;

    /// <param name="checkDone">Called between batches; throws <see cref="LogCleaningAbortedException"/> to stop the pass.</param>
    public CleanerStats Clean(LogToClean cleanable, long currentTimeMs, Action checkDone)
    {
        var log = cleanable.Log;
        var config = log.Config;
        var stats = new CleanerStats
        {
            FirstDirtyOffset = cleanable.FirstDirtyOffset,
            FirstUncleanableOffset = cleanable.FirstUncleanableOffset,
        };
        var segments = log.Segments.Snapshot;

        BuildOffsetMap(segments, cleanable.FirstDirtyOffset, cleanable.FirstUncleanableOffset, stats, checkDone);
        long endOffset = map.LatestOffset + 1;
        stats.EndOffset = endOffset;

        int count = 0;
        while (count < segments.Length - 1 && segments[count].BaseOffset < endOffset)
        {
            count++;
        }
        var filter = new RecordBatchFilter(map, currentTimeMs, config.DeleteRetentionMs, cleanable.FirstUncleanableOffset,
            log.LastBatchOffsetsOfProducers(), stats);
        foreach (var group in GroupSegmentsBySize(segments[..count], config.SegmentBytes, config.SegmentIndexBytes, cleanable.FirstUncleanableOffset))
        {
            CleanSegments(log, config, group, filter, currentTimeMs, stats, checkDone);
        }
        return stats;
    }

    /// <summary>
    /// Kafka's groupSegmentsBySize: consecutive segments whose total log size fits
    /// <paramref name="maxSize"/>, whose total offset and time index sizes each fit
    /// <paramref name="maxIndexSize"/>, and whose offsets stay within int32 of the first one's base
    /// offset (a segment's last offset is bounded by the next one's base, or by
    /// <paramref name="firstUncleanableOffset"/> for the last).
    /// </summary>
    internal static List<LogSegment[]> GroupSegmentsBySize(ReadOnlySpan<LogSegment> segments, int maxSize, int maxIndexSize,
        long firstUncleanableOffset)
    {
        var groups = new List<LogSegment[]>();
        int start = 0;
        while (start < segments.Length)
        {
            long logSize = segments[start].Size;
            long offsetIndexSize = segments[start].OffsetIndex.SizeInBytes;
            long timeIndexSize = segments[start].TimeIndex.SizeInBytes;
            int end = start + 1;
            while (end < segments.Length)
            {
                var next = segments[end];
                long nextLastOffset = end + 1 < segments.Length ? segments[end + 1].BaseOffset - 1 : firstUncleanableOffset - 1;
                if (logSize + next.Size > maxSize ||
                    offsetIndexSize + next.OffsetIndex.SizeInBytes > maxIndexSize ||
                    timeIndexSize + next.TimeIndex.SizeInBytes > maxIndexSize ||
                    (next.Size != 0 && nextLastOffset - segments[start].BaseOffset > int.MaxValue))
                {
                    break;
                }
                logSize += next.Size;
                offsetIndexSize += next.OffsetIndex.SizeInBytes;
                timeIndexSize += next.TimeIndex.SizeInBytes;
                end++;
            }
            groups.Add(segments[start..end].ToArray());
            start = end;
        }
        return groups;
    }

    /// <summary>
    /// Fills the offset map from the dirty segments. The map covers a segment's whole offset range
    /// once all its batches are in (gaps included), so the checkpoint can move to the next segment.
    /// </summary>
    private void BuildOffsetMap(LogSegment[] segments, long firstDirtyOffset, long firstUncleanableOffset, CleanerStats stats, Action checkDone)
    {
        map.Clear(firstUncleanableOffset - firstDirtyOffset, firstDirtyOffset - 1);
        int first = Math.Max(0, LogSegments.FloorIndex(segments, firstDirtyOffset));
        for (int i = first; i < segments.Length - 1 && segments[i].BaseOffset < firstUncleanableOffset; i++)
        {
            if (BuildOffsetMapForSegment(segments[i], firstDirtyOffset, stats, checkDone))
            {
                return; // full: the checkpoint stops at the last batch the map covers
            }
            map.UpdateLatestOffset(segments[i + 1].BaseOffset - 1);
        }
    }

    /// <summary>Adds the keys of one segment's batches at or after <paramref name="startOffset"/>; true when the map filled up.</summary>
    private bool BuildOffsetMapForSegment(LogSegment segment, long startOffset, CleanerStats stats, Action checkDone)
    {
        using var reader = new SegmentBatchReader(segment, segment.OffsetIndex.Lookup(startOffset).Position, ioBufferSize);
        while (reader.TryReadNext(out var batch))
        {
            checkDone();
            long lastOffset = RecordBatchHeader.LastOffset(batch);
            if (lastOffset < startOffset)
            {
                continue;
            }
            if (!RecordBatchHeader.IsControl(batch) && !AddKeys(batch, startOffset, stats))
            {
                return true;
            }
            map.UpdateLatestOffset(lastOffset);
        }
        return false;
    }

    /// <summary>False when a key did not fit; the keys before it stay (they are newer than anything the pass removes).</summary>
    private bool AddKeys(ReadOnlySpan<byte> batch, long startOffset, CleanerStats stats)
    {
        long baseOffset = RecordBatchHeader.BaseOffset(batch);
        var status = RecordBatchPayload.Open(batch, MaxDecompressedBytes, out var payload);
        if (status != DecompressionStatus.Done)
        {
            throw new InvalidDataException($"The batch at offset {baseOffset} cannot be decompressed: {status}");
        }
        using (payload)
        {
            var records = payload.GetEnumerator();
            while (records.MoveNext())
            {
                var record = records.Current;
                long offset = baseOffset + record.OffsetDelta;
                if (!record.IsKeyNull && offset >= startOffset && !map.TryPut(record.Key, offset))
                {
                    return false;
                }
                stats.MapRecordsRead++;
            }
            if (records.HasError)
            {
                throw new InvalidDataException($"The records of the batch at offset {baseOffset} do not parse");
            }
        }
        return true;
    }

    /// <summary>Cleans one group into a <c>.cleaned</c> segment and swaps it in; removes the new files if that does not happen.</summary>
    private void CleanSegments(PartitionLog log, LogConfig config, LogSegment[] group, RecordBatchFilter filter, long currentTimeMs,
        CleanerStats stats, Action checkDone)
    {
        var cleaned = LogSegment.Create(log.Directory, group[0].BaseOffset, config, currentTimeMs, LogSegment.CleanedSuffix);
        bool swapped = false;
        try
        {
            foreach (var segment in group)
            {
                CleanInto(segment, cleaned, config.IndexIntervalBytes, filter, checkDone);
            }
            cleaned.OnBecomeInactive();
            cleaned.Flush();
            cleaned.LastModifiedUtc = group[^1].LastModifiedUtc;
            checkDone();
            swapped = log.ReplaceSegments(group, cleaned);
            if (!swapped)
            {
                throw new LogCleaningAbortedException($"Segments of {log} changed while they were cleaned");
            }
            stats.SegmentsCleaned += group.Length;
            stats.CleanedSegmentsWritten++;
        }
        finally
        {
            if (!swapped && Array.IndexOf(log.Segments.Snapshot, cleaned) < 0)
            {
                cleaned.Dispose();
                cleaned.DeleteFiles();
            }
        }
    }

    private void CleanInto(LogSegment source, LogSegment destination, int indexIntervalBytes, RecordBatchFilter filter, Action checkDone)
    {
        using var reader = new SegmentBatchReader(source, 0, ioBufferSize);
        var output = new PooledByteBuffer();
        try
        {
            while (reader.TryReadNext(out var batch))
            {
                checkDone();
                filter.Filter(batch, ref output);
                if (output.Length >= ioBufferSize)
                {
                    Append(destination, ref output, indexIntervalBytes);
                }
            }
            Append(destination, ref output, indexIntervalBytes);
        }
        finally
        {
            output.Dispose();
        }
    }

    private static void Append(LogSegment destination, ref PooledByteBuffer output, int indexIntervalBytes)
    {
        if (output.Length == 0)
        {
            return;
        }
        if ((long)destination.Size + output.Length > int.MaxValue)
        {
            throw new InvalidDataException($"{destination.LogPath} would grow past 2 GiB");
        }
        destination.Append(output.WrittenSpan, indexIntervalBytes);
        output.Dispose();
        output = new PooledByteBuffer();
    }
}
