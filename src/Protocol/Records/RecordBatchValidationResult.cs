namespace KafkaSharp.Protocol.Records;

/// <summary>
/// The outcome of validating a produce request's records, and what the produce path needs to know
/// about them. Offsets: once valid, the batches span exactly <see cref="RecordCount"/> offsets, so a
/// log assigning base offset B gives them B .. B + RecordCount - 1.
/// </summary>
public struct RecordBatchValidationResult
{
    private const long NoTimestamp = -1;

    public RecordBatchValidationResult()
    {
    }

    public RecordBatchValidationOutcome Outcome { get; internal set; } = RecordBatchValidationOutcome.Valid;

    /// <summary>Why validation failed, for the response's ErrorMessage; null when valid.</summary>
    public string? ErrorMessage { get; internal set; }

    public readonly bool IsValid => Outcome == RecordBatchValidationOutcome.Valid;

    /// <summary>Batches found valid. Produce v3+ requires exactly one per partition (InvalidRecord otherwise).</summary>
    public int BatchCount { get; internal set; }

    /// <summary>Records in all batches, equal to the number of offsets they take.</summary>
    public int RecordCount { get; internal set; }

    /// <summary>Size of the largest batch, for <c>max.message.bytes</c> (MessageTooLarge).</summary>
    public int LargestBatchSizeInBytes { get; internal set; }

    /// <summary>Largest record timestamp (BaseTimestamp + TimestampDelta); -1 if none is larger.</summary>
    public long MaxTimestamp { get; internal set; } = -1;

    /// <summary>
    /// Offset of the first record with <see cref="MaxTimestamp"/>, counted from the first record of
    /// the first batch; -1 with MaxTimestamp.
    /// </summary>
    public int OffsetDeltaOfMaxTimestamp { get; internal set; } = -1;

    /// <summary>
    /// Smallest record timestamp other than -1 (Kafka's "no timestamp", which its timestamp checks
    /// skip), for <c>message.timestamp.before.max.ms</c>; long.MaxValue when no record has one.
    /// </summary>
    public long MinTimestamp { get; internal set; } = long.MaxValue;

    /// <summary>Some record has a null key, which a compacted topic rejects (InvalidRecord).</summary>
    public bool HasNullKey { get; internal set; }

    public bool IsTransactional { get; internal set; }

    /// <summary>Some batch is a control batch, which clients may not write (Kafka: InvalidRecord).</summary>
    public bool HasControlBatch { get; internal set; }

    /// <summary>The first batch's producer id; -1 when not idempotent.</summary>
    public long ProducerId { get; internal set; } = -1;

    public short ProducerEpoch { get; internal set; } = -1;

    public int BaseSequence { get; internal set; } = -1;

    internal void Fail(RecordBatchValidationOutcome outcome, string message)
    {
        Outcome = outcome;
        ErrorMessage = message;
    }

    internal void ObserveRecord(long timestamp, int offsetDelta, bool isKeyNull)
    {
        if (timestamp > MaxTimestamp)
        {
            MaxTimestamp = timestamp;
            OffsetDeltaOfMaxTimestamp = offsetDelta;
        }
        if (timestamp < MinTimestamp && timestamp != NoTimestamp)
        {
            MinTimestamp = timestamp;
        }
        HasNullKey |= isKeyNull;
    }

    internal void ObserveBatch(ReadOnlySpan<byte> batch)
    {
        if (BatchCount == 0)
        {
            ProducerId = RecordBatchHeader.ProducerId(batch);
            ProducerEpoch = RecordBatchHeader.ProducerEpoch(batch);
            BaseSequence = RecordBatchHeader.BaseSequence(batch);
        }
        BatchCount++;
        RecordCount += RecordBatchHeader.RecordCount(batch);
        LargestBatchSizeInBytes = Math.Max(LargestBatchSizeInBytes, batch.Length);
        IsTransactional |= RecordBatchHeader.IsTransactional(batch);
        HasControlBatch |= RecordBatchHeader.IsControl(batch);
    }
}
