namespace KafkaSharp.Storage.Cleaner;

/// <summary>What one cleaning pass over a log did (Kafka's CleanerStats, without the timings).</summary>
public sealed class CleanerStats
{
    /// <summary>Where the pass found the dirty section starting (the previous cleaner checkpoint, or the log start offset).</summary>
    public long FirstDirtyOffset { get; internal set; }

    /// <summary>The first offset the pass could not clean: the active segment, the high watermark or <c>min.compaction.lag.ms</c>.</summary>
    public long FirstUncleanableOffset { get; internal set; }

    /// <summary>The offset the dirty section now starts at: the new cleaner checkpoint.</summary>
    public long EndOffset { get; internal set; }

    /// <summary>Records whose keys went into the offset map.</summary>
    public long MapRecordsRead { get; internal set; }

    /// <summary>Segments the pass rewrote, and the cleaned segments they became.</summary>
    public int SegmentsCleaned { get; internal set; }

    public int CleanedSegmentsWritten { get; internal set; }

    public long BytesRead { get; internal set; }

    public long BytesWritten { get; internal set; }

    public long RecordsRead { get; internal set; }

    public long RecordsRetained { get; internal set; }

    /// <summary>Records without a key, which a compacted log cannot keep (Kafka's invalid messages).</summary>
    public long RecordsWithoutKey { get; internal set; }

    /// <summary>Tombstones dropped because their delete horizon had passed.</summary>
    public long TombstonesRemoved { get; internal set; }

    public override string ToString() =>
        $"offsets [{FirstDirtyOffset}, {FirstUncleanableOffset}) dirty, cleaned up to {EndOffset}: {SegmentsCleaned} segments into " +
        $"{CleanedSegmentsWritten}, {RecordsRetained}/{RecordsRead} records and {BytesWritten}/{BytesRead} bytes kept";
}
