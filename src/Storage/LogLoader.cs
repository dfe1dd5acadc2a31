using System.Globalization;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage;

/// <summary>
/// Opens a partition directory at startup and brings it to a consistent state (Kafka's LogLoader).
/// <list type="bullet">
/// <item>Leftovers are removed: <c>*.deleted</c> files whose delay had not passed, <c>*.tmp</c>
/// files of interrupted checkpoints, <c>*.cleaned</c> files of an interrupted cleaner pass (the
/// segments they were cleaned from are all still there), and index files without a <c>.log</c>.</item>
/// <item>A cleaned segment that was being swapped in (<c>*.log.swap</c>) replaces every segment
/// whose base offset lies in its offset range (the ones it was cleaned from that were not yet
/// renamed to <c>.deleted</c>); its indexes are rebuilt. An old segment past that range (cleaning
/// removed all its records) holds only later offsets, so keeping it leaves a valid log, merely
/// less compacted.</item>
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
        var baseOffsets = RemoveLeftoversAndListSegments(directory, report, out var swapBaseOffsets);
        CompleteSwaps(directory, config, nowMs, swapBaseOffsets, baseOffsets, report);
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

    /// <summary>
    /// Deletes what an interrupted operation left and returns the base offsets of the segments,
    /// ascending, and in <paramref name="swapBaseOffsets"/> those of <c>.log.swap</c> files. Index
    /// <c>.swap</c> files are deleted: the swap's log may be renamed before them, and indexes are rebuilt.
    /// </summary>
    private static List<long> RemoveLeftoversAndListSegments(string directory, Action<string> report, out List<long> swapBaseOffsets)
    {
        var baseOffsets = new List<long>();
        var indexFiles = new List<(string Path, long BaseOffset)>();
        swapBaseOffsets = [];
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(LogSegment.DeletedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }
            if (name.EndsWith(LogSegment.CleanedSuffix, StringComparison.Ordinal))
            {
                report($"{path}: deleted, left by an interrupted log cleaner pass");
                File.Delete(path);
                continue;
            }
            if (name.EndsWith(LogSegment.SwapSuffix, StringComparison.Ordinal))
            {
                string swapped = name[..^LogSegment.SwapSuffix.Length];
                if (Path.GetExtension(swapped) == LogSegment.LogSuffix &&
                    TryParseBaseOffset(Path.GetFileNameWithoutExtension(swapped), out long swapBaseOffset))
                {
                    swapBaseOffsets.Add(swapBaseOffset);
                }
                else
                {
                    File.Delete(path);
                }
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

    /// <summary>
    /// Finishes the log cleaner's swaps interrupted by a crash (Kafka's swap-file recovery): each
    /// <c>.log.swap</c> segment is validated and indexed, the segments it replaces are deleted, and
    /// it takes its plain name.
    /// </summary>
    private static void CompleteSwaps(string directory, LogConfig config, long nowMs, List<long> swapBaseOffsets,
        List<long> baseOffsets, Action<string> report)
    {
        swapBaseOffsets.Sort();
        foreach (long baseOffset in swapBaseOffsets)
        {
            long nextOffset;
            using (var swap = LogSegment.Open(directory, baseOffset, config, nowMs, out _, LogSegment.SwapSuffix))
            {
                (_, nextOffset) = swap.Recover(config);
                swap.OnBecomeInactive();
                swap.Flush();
            }
            long rangeEnd = Math.Max(nextOffset, baseOffset + 1);
            for (int i = baseOffsets.Count - 1; i >= 0; i--)
            {
                long replaced = baseOffsets[i];
                if (replaced >= baseOffset && replaced < rangeEnd)
                {
                    File.Delete(Path.Combine(directory, LogSegment.FileName(replaced, LogSegment.LogSuffix)));
                    File.Delete(Path.Combine(directory, LogSegment.FileName(replaced, OffsetIndex.Suffix)));
                    File.Delete(Path.Combine(directory, LogSegment.FileName(replaced, TimeIndex.Suffix)));
                    baseOffsets.RemoveAt(i);
                }
            }
            foreach (string suffix in (ReadOnlySpan<string>)[LogSegment.LogSuffix, OffsetIndex.Suffix, TimeIndex.Suffix])
            {
                string path = Path.Combine(directory, LogSegment.FileName(baseOffset, suffix));
                File.Move(path + LogSegment.SwapSuffix, path, overwrite: true);
            }
            AtomicFile.FlushDirectory(directory);
            baseOffsets.Add(baseOffset);
            baseOffsets.Sort();
            report($"{Path.Combine(directory, LogSegment.FileName(baseOffset, LogSegment.LogSuffix))}: " +
                $"interrupted log cleaner swap completed; it replaces the segments in offsets [{baseOffset}, {rangeEnd})");
        }
    }

    private static bool TryParseBaseOffset(string name, out long baseOffset)
    {
        baseOffset = 0;
        return name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
