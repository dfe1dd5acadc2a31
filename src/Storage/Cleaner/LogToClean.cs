namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// A compacted log as the cleaner sees it before a pass (Kafka's LogToClean): the clean section
/// before <see cref="FirstDirtyOffset"/>, the cleanable dirty section up to
/// <see cref="FirstUncleanableOffset"/> (a segment boundary), and their sizes in bytes.
/// </summary>
internal sealed record LogToClean(PartitionLog Log, long FirstDirtyOffset, long FirstUncleanableOffset,
    long CleanBytes, long CleanableBytes, bool NeedCompactionNow)
{
    public long TotalBytes => CleanBytes + CleanableBytes;

    /// <summary>The share of the log that is dirty and cleanable: the cleaner picks the log with the largest.</summary>
    public double CleanableRatio => TotalBytes == 0 ? 0 : CleanableBytes / (double)TotalBytes;
}
