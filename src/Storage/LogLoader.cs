using System.Globalization;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage;

/// <summary>
/// Opens a partition directory at startup and brings it to a consistent state (Kafka's LogLoader).
/// <list type="bullet">
/// <item>Leftovers are removed: <c>*.deleted</c> files whose delay had not passed, <c>*.tmp</c>
/// files of interrupted checkpoints, and index files without a <c>.log</c>.</item>
/// <item>After a clean shutdown nothing is scanned but the batch headers after the active
/// segment's last index entry (to find the log end offset).</item>
/// <item>After a crash every segment from the one holding the recovery point on is validated batch
/// by batch and its indexes rebuilt; the first bad batch ends the log: its segment is truncated
/// there and any later segment is deleted. The recovered segments are fsynced, so the recovery
/// point becomes the log end offset.</item>
/// <item>Either way, an index that is missing or fails its sanity check (whole entries, increasing,
/// last entry naming a real batch) is rebuilt by recovering its segment.</item>
/// </list>
/// </summary>
internal static class LogLoader
{
    internal sealed record LoadedLog(LogSegment[] Segments, long LogStartOffset, long LogEndOffset, long RecoveryPoint);

    /// <param name="report">Receives a line for every repair made (truncation, rebuilt index, removed files).</param>
    public static LoadedLog Load(string directory, LogConfig config, bool hadCleanShutdown, long recoveryPoint,
        long logStartOffsetCheckpoint, long nowMs, Action<string> report)
    {
        var baseOffsets = RemoveLeftoversAndListSegments(directory, report);
        var segments = new List<LogSegment>(baseOffsets.Count);
        var indexesExisted = new List<bool>(baseOffsets.Count);
        try
        {
            foreach (long baseOffset in baseOffsets)
            {
                segments.Add(LogSegment.Open(directory, baseOffset, config, nowMs, out bool existed));
                indexesExisted.Add(existed);
            }
            return Recover(directory, config, hadCleanShutdown, recoveryPoint, logStartOffsetCheckpoint, nowMs, report, segments, indexesExisted);
        }
        catch (Exception)
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }
            throw;
        }
    }

    private static LoadedLog Recover(string directory, LogConfig config, bool hadCleanShutdown, long recoveryPoint,
        long logStartOffsetCheckpoint, long nowMs, Action<string> report, List<LogSegment> segments, List<bool> indexesExisted)
    {
        if (segments.Count == 0)
        {
            long startOffset = Math.Max(logStartOffsetCheckpoint, 0);
            var fresh = LogSegment.Create(directory, startOffset, config, nowMs);
            return new LoadedLog([fresh], startOffset, startOffset, startOffset);
        }

        // Segments from this index on are validated batch by batch (none after a clean shutdown).
        int firstUnflushed = hadCleanShutdown ? segments.Count : Math.Max(0, FloorIndex(segments, recoveryPoint));
        long logEndOffset = -1;
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            bool isLast = i == segments.Count - 1;
            if (i >= firstUnflushed)
            {
                var (truncated, nextOffset) = segment.Recover(config);
                if (truncated > 0)
                {
                    report($"{segment.LogPath}: recovery truncated {truncated} bytes of invalid or incomplete batches after offset {nextOffset - 1}");
                    DeleteSegmentsAfter(segments, i, report);
                    isLast = true;
                }
                segment.Flush();
                if (isLast)
                {
                    logEndOffset = nextOffset;
                    break;
                }
                segment.OnBecomeInactive();
                continue;
            }

            long nextSegmentBase = isLast ? long.MaxValue : segments[i + 1].BaseOffset;
            bool indexesUsable = (indexesExisted[i] || segment.Size == 0) &&
                segment.OffsetIndex.IsConsistent(segment.Size, segment.TryReadHeader);
            long? loadedNextOffset = indexesUsable && isLast ? segment.LoadNextOffset() : null;
            indexesUsable = indexesUsable && (!isLast || loadedNextOffset is not null) &&
                segment.TimeIndex.IsConsistent(isLast ? loadedNextOffset!.Value : nextSegmentBase);
            if (!indexesUsable)
            {
                var (truncated, nextOffset) = segment.Recover(config);
                report(truncated > 0
                    ? $"{segment.LogPath}: indexes rebuilt; {truncated} bytes of invalid batches truncated after offset {nextOffset - 1}"
                    : $"{segment.LogPath}: missing or damaged indexes rebuilt");
                if (isLast)
                {
                    segment.Flush();
                    logEndOffset = nextOffset;
                    break;
                }
                segment.OnBecomeInactive();
                continue;
            }
            if (isLast)
            {
                segment.ResizeIndexes(config.SegmentIndexBytes);
                logEndOffset = loadedNextOffset!.Value;
            }
        }

        long logStartOffset = Math.Max(logStartOffsetCheckpoint, segments[0].BaseOffset);
        if (logEndOffset < logStartOffset)
        {
            // Everything left lies below the log start offset (e.g. a truncated tail): start over there.
            report($"{directory}: log end offset {logEndOffset} is below the log start offset {logStartOffset}; the log restarts empty there");
            foreach (var segment in segments)
            {
                segment.Dispose();
                segment.DeleteFiles();
            }
            segments.Clear();
            segments.Add(LogSegment.Create(directory, logStartOffset, config, nowMs));
            logEndOffset = logStartOffset;
        }
        return new LoadedLog([.. segments], logStartOffset, logEndOffset, logEndOffset);
    }

    private static void DeleteSegmentsAfter(List<LogSegment> segments, int index, Action<string> report)
    {
        for (int j = segments.Count - 1; j > index; j--)
        {
            report($"{segments[j].LogPath}: deleted, it follows a truncated segment");
            segments[j].Dispose();
            segments[j].DeleteFiles();
            segments.RemoveAt(j);
        }
    }

    private static int FloorIndex(List<LogSegment> segments, long offset)
    {
        int found = -1;
        for (int i = 0; i < segments.Count && segments[i].BaseOffset <= offset; i++)
        {
            found = i;
        }
        return found;
    }

    /// <summary>Deletes what an interrupted operation left and returns the base offsets of the segments, ascending.</summary>
    private static List<long> RemoveLeftoversAndListSegments(string directory, Action<string> report)
    {
        var baseOffsets = new List<long>();
        var indexFiles = new List<(string Path, long BaseOffset)>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(LogSegment.DeletedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }
            string extension = Path.GetExtension(name);
            if (!TryParseBaseOffset(Path.GetFileNameWithoutExtension(name), out long baseOffset))
            {
                continue;
            }
            if (extension == LogSegment.LogSuffix)
            {
                baseOffsets.Add(baseOffset);
            }
            else if (extension is OffsetIndex.Suffix or TimeIndex.Suffix)
            {
                indexFiles.Add((path, baseOffset));
            }
        }
        foreach (var (path, baseOffset) in indexFiles)
        {
            if (!baseOffsets.Contains(baseOffset))
            {
                report($"{path}: deleted, its segment has no .log file");
                File.Delete(path);
            }
        }
        baseOffsets.Sort();
        return baseOffsets;
    }

    private static bool TryParseBaseOffset(string name, out long baseOffset)
    {
        baseOffset = 0;
        return name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
