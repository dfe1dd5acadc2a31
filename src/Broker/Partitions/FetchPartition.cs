using KafkaSharp.Protocol;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// One partition of a fetch request while it is served: what to read (the log, the fetch offset, its
/// PartitionMaxBytes) and what the last read found. <see cref="Log"/> is null for a partition answered
/// with an error decided before reading (unknown topic, fenced epoch, ...), which is never read.
/// </summary>
public struct FetchPartition
{
    public PartitionLog? Log;

    public long FetchOffset;

    public int MaxBytes;

    /// <summary>The partition's error: decided before reading, or by the last read (OFFSET_OUT_OF_RANGE, KAFKA_STORAGE_ERROR).</summary>
    public ErrorCode Error;

    /// <summary>The last read's records and offsets; meaningful when <see cref="Error"/> is None.</summary>
    public LogReadResult Read;
}
