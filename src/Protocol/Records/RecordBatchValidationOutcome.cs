namespace KafkaSharp.Protocol.Records;

/// <summary>
/// What <see cref="RecordBatchValidator"/> found. Each failure names the Kafka error code the produce
/// handler answers with (the codes of <c>KafkaSharp.Protocol.ErrorCode</c>).
/// </summary>
public enum RecordBatchValidationOutcome : byte
{
    /// <summary>Every batch is well formed. Error code None (0).</summary>
    Valid = 0,

    /// <summary>
    /// A batch is cut short, its BatchLength is smaller than the header, its magic is above 2, or its
    /// CRC-32C does not match. Kafka raises CorruptRecordException here: CorruptMessage (2), which
    /// clients treat as retriable.
    /// </summary>
    CorruptMessage,

    /// <summary>
    /// A batch is structurally wrong: no batch at all, a record count that is not positive or does not
    /// match LastOffsetDelta + 1, records that do not parse exactly to the end of the batch (lengths,
    /// varints, key/value/header bounds), offset deltas other than 0..n-1, compressed records that do
    /// not decompress, or a producer id without a base sequence. Kafka raises InvalidRecordException:
    /// InvalidRecord (87), not retriable.
    /// </summary>
    InvalidRecord,

    /// <summary>
    /// Magic 0 or 1 (message formats v0/v1), which Kafka 4 no longer accepts. For produce v3 and later
    /// Kafka answers InvalidRecord (87) ("only magic 2 allowed"); UnsupportedForMessageFormat (43) is
    /// the code for a feature the message format cannot express, kept for handlers of older versions.
    /// </summary>
    UnsupportedMagic,

    /// <summary>The attributes name a codec id Kafka does not define (5-7). UnsupportedCompressionType (76).</summary>
    UnsupportedCompressionType,

    /// <summary>
    /// A compressed batch decompresses to more than the caller's limit (a decompression bomb).
    /// MessageTooLarge (10), which clients do not retry unchanged.
    /// </summary>
    DecompressedSizeExceeded,
}
