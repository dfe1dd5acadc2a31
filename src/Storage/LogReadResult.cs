using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Storage;

/// <summary>
/// The result of <see cref="PartitionLog.Read"/>: whole batches (a <see cref="FileRecords"/>
/// slice, or <see cref="MemoryRecords.Empty"/> when there is nothing to return yet), or
/// <see cref="OffsetOutOfRange"/> when the fetch offset is outside [LogStartOffset, LogEndOffset].
/// The offsets are the values the read was bounded by, for the fetch response.
/// </summary>
public readonly record struct LogReadResult(bool OffsetOutOfRange, BaseRecords Records, long LogStartOffset, long HighWatermark, long LogEndOffset);
