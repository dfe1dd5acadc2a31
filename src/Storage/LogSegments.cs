namespace KafkaSharp.Storage;

/// <summary>
/// A log's segments sorted by base offset, as an immutable array replaced on every change
/// (copy-on-write): readers take <see cref="Snapshot"/> once and use it without locks, writers
/// (holding the partition lock) publish a new array. There is always at least one segment; the last
/// is the active one.
/// </summary>
internal sealed class LogSegments
{
    private LogSegment[] _segments;

    public LogSegments(LogSegment[] segments)
    {
        if (segments.Length == 0)
        {
            throw new ArgumentException("A log has at least one segment", nameof(segments));
        }
        _segments = segments;
    }

    public LogSegment[] Snapshot => Volatile.Read(ref _segments);

    public LogSegment Active
    {
        get
        {
            var segments = Snapshot;
            return segments[^1];
        }
    }

    public int Count => Snapshot.Length;

    /// <summary>Index of the segment with the largest base offset at or below <paramref name="offset"/>, or -1.</summary>
    public static int FloorIndex(LogSegment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (segments[middle].BaseOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    /// <summary>The segment that would hold <paramref name="offset"/>: the last one starting at or before it.</summary>
    public LogSegment? FloorSegment(long offset)
    {
        var segments = Snapshot;
        int index = FloorIndex(segments, offset);
        return index < 0 ? null : segments[index];
    }

    /// <summary>
    /// The segment after <paramref name="segment"/>, or <c>null</c> after the active one. If the log
    /// cleaner has since replaced <paramref name="segment"/>, the segment that replaced it: it starts
    /// at or before the old one's base offset (the same one when the old segment was the first of its
    /// group) and holds the old one's offsets and those of the segments merged after it, which the
    /// segment following it no longer does.
    /// </summary>
    public LogSegment? HigherSegment(LogSegment segment)
    {
        var segments = Snapshot;
        int index = FloorIndex(segments, segment.BaseOffset);
        if (index >= 0 && !ReferenceEquals(segments[index], segment))
        {
            return segments[index];
        }
        index++;
        return index < segments.Length ? segments[index] : null;
    }

    public long SizeInBytes
    {
        get
        {
            long size = 0;
            foreach (var segment in Snapshot)
            {
                size += segment.Size;
            }
            return size;
        }
    }

    /// <summary>Adds a new active segment after the current one.</summary>
    public void Add(LogSegment segment)
    {
        var segments = Snapshot;
        if (segment.BaseOffset <= segments[^1].BaseOffset)
        {
            throw new InvalidOperationException($"Segment {segment.BaseOffset} does not follow {segments[^1].BaseOffset}");
        }
        Volatile.Write(ref _segments, [.. segments, segment]);
    }

    /// <summary>
    /// Publishes <paramref name="replacement"/> in place of the <paramref name="count"/> segments from
    /// <paramref name="index"/> on (never the active one): the log cleaner's swap. Readers see either
    /// the old segments or the new one, never a mix.
    /// </summary>
    public void Replace(int index, int count, LogSegment replacement)
    {
        var segments = Snapshot;
        if (index < 0 || count <= 0 || index + count >= segments.Length)
        {
            throw new InvalidOperationException("Only segments before the active one are replaced");
        }
        if (replacement.BaseOffset != segments[index].BaseOffset)
        {
            throw new InvalidOperationException($"Segment {replacement.BaseOffset} cannot replace segments from {segments[index].BaseOffset}");
        }
        Volatile.Write(ref _segments, [.. segments.AsSpan(0, index), replacement, .. segments.AsSpan(index + count)]);
    }

    /// <summary>Drops the oldest <paramref name="count"/> segments (never the active one).</summary>
    public void RemoveOldest(int count)
    {
        var segments = Snapshot;
        if (count >= segments.Length)
        {
            throw new InvalidOperationException("The active segment is never removed");
        }
        Volatile.Write(ref _segments, segments[count..]);
    }
}
