using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// The checks Kafka makes before a client's records reach the log (UnifiedLog.analyzeAndValidateRecords
/// and LogValidator), in Kafka's order, with Kafka's error codes and messages:
/// <list type="number">
/// <item>per batch header: BaseOffset must be 0 (INVALID_RECORD); the batch may not exceed the topic's
/// <c>max.message.bytes</c> (MESSAGE_TOO_LARGE);</item>
/// <item>framing, CRC-32C, record counts, every record parsed: <see cref="RecordBatchValidator"/>, one
/// pass (CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE);</item>
/// <item>no control batches from clients (INVALID_RECORD);</item>
/// <item>record level, only walked again when the first pass saw a problem: keys on compacted topics
/// (INVALID_RECORD) and CreateTime timestamps within <c>message.timestamp.before.max.ms</c> /
/// <c>message.timestamp.after.max.ms</c> of now (INVALID_TIMESTAMP), each bad record listed.</item>
/// </list>
/// </summary>
internal static class LogAppendValidator
{
    /// <summary>
    /// The most one compressed batch may decompress to. Kafka decompresses as a stream and has no such
    /// limit; the validator needs the records in one buffer, and this bounds what a small hostile batch
    /// can make the broker allocate while staying far above any real batch (max.message.bytes is 1 MiB
    /// by default and record data rarely compresses beyond 20:1).
    /// </summary>
    public const int MaxDecompressedBatchBytes = 256 * 1024 * 1024;

    /// <summary>Validates <paramref name="records"/> for <paramref name="topicPartition"/>; null when they may be appended.</summary>
    public static PartitionAppendResult? Validate(TopicPartition topicPartition, ReadOnlySpan<byte> records, LogConfig config, long nowMs)
    {
        if (CheckBatchHeaders(topicPartition, records, config) is { } headerError)
        {
            return headerError;
        }
        var result = RecordBatchValidator.Validate(records, MaxDecompressedBatchBytes);
        if (!result.IsValid)
        {
            return PartitionAppendResult.Failed(ErrorCodeOf(result.Outcome), result.ErrorMessage);
        }
        if (result.HasControlBatch)
        {
            return PartitionAppendResult.Failed(ErrorCode.InvalidRecord,
                $"Clients are not allowed to write control records in topic partition {topicPartition}");
        }
        bool checkKeys = result.HasNullKey && (config.CleanupPolicy & CleanupPolicy.Compact) != 0;
        bool checkTimestamps = config.MessageTimestampType == TimestampType.CreateTime && HasTimestampOutOfRange(result, config, nowMs);
        return checkKeys || checkTimestamps
            ? RecordErrorsResult(topicPartition, records, config, nowMs, checkKeys, checkTimestamps)
            : null;
    }

    private static ErrorCode ErrorCodeOf(RecordBatchValidationOutcome outcome) => outcome switch
    {
        RecordBatchValidationOutcome.CorruptMessage => ErrorCode.CorruptMessage,
        RecordBatchValidationOutcome.UnsupportedCompressionType => ErrorCode.UnsupportedCompressionType,
        RecordBatchValidationOutcome.DecompressedSizeExceeded => ErrorCode.MessageTooLarge,
        // Magic 0/1 reach here only through handlers that skip the produce request's own magic check;
        // Kafka 4 answers them as it answers produce v3+: only magic 2 is allowed.
        _ => ErrorCode.InvalidRecord,
    };

    /// <summary>
    /// The header checks Kafka makes before the CRC, and again on batches the broker rebuilt in the
    /// topic's codec (their size changed). Stops at the first header that is not whole; the validator
    /// reports it.
    /// </summary>
    public static PartitionAppendResult? CheckBatchHeaders(TopicPartition topicPartition, ReadOnlySpan<byte> records, LogConfig config)
    {
        while (records.Length >= RecordBatchHeader.LogOverhead)
        {
            long baseOffset = RecordBatchHeader.BaseOffset(records);
            if (baseOffset != 0)
            {
                return PartitionAppendResult.Failed(ErrorCode.InvalidRecord,
                    $"The baseOffset of the record batch in the append to {topicPartition} should be 0, but it is {baseOffset}");
            }
            long size = (long)RecordBatchHeader.BatchLength(records) + RecordBatchHeader.LogOverhead;
            if (size > config.MaxMessageBytes)
            {
                return PartitionAppendResult.Failed(ErrorCode.MessageTooLarge,
                    $"The record batch size in the append to {topicPartition} is {size} bytes which exceeds the maximum configured value of {config.MaxMessageBytes}.");
            }
            if (size < RecordBatchHeader.Size || size > records.Length)
            {
                break;
            }
            records = records[(int)size..];
        }
        return null;
    }

    private static bool HasTimestampOutOfRange(in RecordBatchValidationResult result, LogConfig config, long nowMs) =>
        (result.MinTimestamp != long.MaxValue && IsBeforeRange(result.MinTimestamp, config, nowMs)) ||
        (result.MaxTimestamp >= 0 && IsAfterRange(result.MaxTimestamp, config, nowMs));

    // Kafka compares differences, so its Long.MaxValue defaults never overflow.
    private static bool IsBeforeRange(long timestamp, LogConfig config, long nowMs) => nowMs - timestamp > config.MessageTimestampBeforeMaxMs;

    private static bool IsAfterRange(long timestamp, LogConfig config, long nowMs) => timestamp - nowMs > config.MessageTimestampAfterMaxMs;

    /// <summary>
    /// The rare path: walks the records again to list each one Kafka's LogValidator rejects, and
    /// fails the append with the first failing batch's errors, as Kafka does.
    /// </summary>
    private static PartitionAppendResult? RecordErrorsResult(TopicPartition topicPartition, ReadOnlySpan<byte> records, LogConfig config,
        long nowMs, bool checkKeys, bool checkTimestamps)
    {
        var errors = new List<RecordError>();
        bool anyInvalidTimestamp = false;
        while (!records.IsEmpty && errors.Count == 0)
        {
            var batch = records[..RecordBatchHeader.SizeInBytes(records)];
            records = records[batch.Length..];
            long baseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
            RecordBatchPayload.Open(batch, MaxDecompressedBatchBytes, out var payload);
            try
            {
                int recordIndex = 0;
                foreach (var record in payload)
                {
                    long timestamp = baseTimestamp + record.TimestampDelta;
                    if (checkKeys && record.IsKeyNull)
                    {
                        errors.Add(new RecordError(recordIndex,
                            $"Compacted topic cannot accept message without key in topic partition {topicPartition}"));
                    }
                    else if (checkTimestamps && timestamp != -1 &&
                             (IsBeforeRange(timestamp, config, nowMs) || IsAfterRange(timestamp, config, nowMs)))
                    {
                        anyInvalidTimestamp = true;
                        errors.Add(new RecordError(recordIndex,
                            $"Timestamp {timestamp} of message with offset {record.OffsetDelta} is out of range. The timestamp should be within [{SaturatingSubtract(nowMs, config.MessageTimestampBeforeMaxMs)}, {SaturatingAdd(nowMs, config.MessageTimestampAfterMaxMs)}]"));
                    }
                    recordIndex++;
                }
            }
            finally
            {
                payload.Dispose();
            }
        }
        if (errors.Count == 0)
        {
            return null;
        }
        return anyInvalidTimestamp
            ? PartitionAppendResult.Failed(ErrorCode.InvalidTimestamp, "One or more records have been rejected due to invalid timestamp", errors)
            : PartitionAppendResult.Failed(ErrorCode.InvalidRecord,
                $"One or more records have been rejected due to {errors.Count} record errors in total, and only showing the first three errors at most: [{string.Join(", ", errors.GetRange(0, Math.Min(errors.Count, 3)))}]",
                errors);
    }

    private static long SaturatingSubtract(long a, long b) => b > 0 && a < long.MinValue + b ? long.MinValue : a - b;

    private static long SaturatingAdd(long a, long b) => b > 0 && a > long.MaxValue - b ? long.MaxValue : a + b;
}
