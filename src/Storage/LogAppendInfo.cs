namespace KafkaSharp.Storage;

/// <summary>Why an append wrote nothing.</summary>
public enum LogAppendError
{
    None,

    /// <summary>The bytes are not a sequence of whole magic-2 batches (CORRUPT_MESSAGE).</summary>
    CorruptRecords,

    /// <summary>A batch is larger than the topic's <c>segment.bytes</c> (RECORD_BATCH_TOO_LARGE).</summary>
    RecordBatchTooLarge,

    /// <summary>The log was closed or deleted meanwhile (the partition is gone).</summary>
    LogClosed,

    /// <summary>A producer batch carries an epoch older than the producer's current one here (INVALID_PRODUCER_EPOCH).</summary>
    InvalidProducerEpoch,

    /// <summary>A producer batch does not continue the producer's sequence (OUT_OF_ORDER_SEQUENCE_NUMBER).</summary>
    OutOfOrderSequence,
}

/// <summary>
/// The result of <see cref="PartitionLog.Append"/>: the offsets given to the appended records
/// (FirstOffset..LastOffset), the append time stamped into the batches (-1 unless the topic uses
/// LogAppendTime) and the log start offset, as a produce response reports them. When the append
/// repeats a producer's batch already in the log, nothing is written and these describe that batch,
/// with its MaxTimestamp as the append time, as Kafka reports a duplicate. A producer-state error
/// carries the log start offset.
/// </summary>
public readonly record struct LogAppendInfo(LogAppendError Error, long FirstOffset, long LastOffset, long LogAppendTime, long LogStartOffset)
{
    internal static LogAppendInfo Failed(LogAppendError error) => new(error, -1, -1, -1, -1);
}
