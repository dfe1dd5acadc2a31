using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// Checks the records of one partition of a produce request (one or more concatenated magic-2
/// batches) before they are appended, as Kafka's LogValidator does for client writes: framing,
/// magic, CRC-32C, record count against LastOffsetDelta, base sequence when a producer id is set,
/// and every record parsed to the exact end of its batch with offset deltas 0..n-1. Compressed
/// batches are decompressed into a pooled buffer to check their records the same way.
/// Uncompressed input is checked without allocating. Policy that depends on the topic or the request
/// (control batches from clients, null keys on compacted topics, timestamp bounds, batch count,
/// <c>max.message.bytes</c>, zstd before produce v7) is left to the caller, from the result.
/// </summary>
public static class RecordBatchValidator
{
    /// <param name="records">The partition's records field, a slice of the request frame.</param>
    /// <param name="maxDecompressedBatchBytes">The most bytes one compressed batch may decompress to.</param>
    public static RecordBatchValidationResult Validate(ReadOnlySpan<byte> records, int maxDecompressedBatchBytes)
    {
        var result = new RecordBatchValidationResult();
        if (records.IsEmpty)
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "The records hold no record batch.");
            return result;
        }
        while (!records.IsEmpty && result.IsValid)
        {
            int batchSize = CheckFraming(records, ref result);
            if (!result.IsValid)
            {
                break;
            }
            ReadOnlySpan<byte> batch = records[..batchSize];
            CheckHeaderFields(batch, ref result);
            if (result.IsValid)
            {
                CheckRecords(batch, maxDecompressedBatchBytes, ref result);
            }
            if (result.IsValid)
            {
                result.ObserveBatch(batch);
            }
            records = records[batchSize..];
        }
        return result;
    }

    /// <summary>Magic, BatchLength and CRC; returns the batch's size when they hold.</summary>
    private static int CheckFraming(ReadOnlySpan<byte> records, ref RecordBatchValidationResult result)
    {
        if (records.Length <= RecordBatchHeader.MagicOffset)
        {
            result.Fail(RecordBatchValidationOutcome.CorruptMessage, "A record batch is cut short before its magic byte.");
            return 0;
        }
        byte magic = RecordBatchHeader.Magic(records);
        if (magic < RecordBatchHeader.CurrentMagic)
        {
            result.Fail(RecordBatchValidationOutcome.UnsupportedMagic, "Only record batches with magic 2 are accepted.");
            return 0;
        }
        if (magic > RecordBatchHeader.CurrentMagic)
        {
            result.Fail(RecordBatchValidationOutcome.CorruptMessage, "A record batch has an unknown magic byte.");
            return 0;
        }
        int batchLength = RecordBatchHeader.BatchLength(records);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            result.Fail(RecordBatchValidationOutcome.CorruptMessage, "A record batch's length is smaller than its header.");
            return 0;
        }
        if (batchLength > records.Length - RecordBatchHeader.LogOverhead)
        {
            result.Fail(RecordBatchValidationOutcome.CorruptMessage, "A record batch is cut short.");
            return 0;
        }
        int batchSize = batchLength + RecordBatchHeader.LogOverhead;
        if (!RecordBatchHeader.IsCrcValid(records[..batchSize]))
        {
            result.Fail(RecordBatchValidationOutcome.CorruptMessage, "A record batch fails its CRC-32C check.");
            return 0;
        }
        return batchSize;
    }

    private static void CheckHeaderFields(ReadOnlySpan<byte> batch, ref RecordBatchValidationResult result)
    {
        int recordCount = RecordBatchHeader.RecordCount(batch);
        if ((byte)RecordBatchHeader.Compression(batch) > (byte)CompressionType.Zstd)
        {
            result.Fail(RecordBatchValidationOutcome.UnsupportedCompressionType, "A record batch names an unknown compression codec.");
        }
        else if (recordCount <= 0)
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record batch's record count is not positive.");
        }
        else if (RecordBatchHeader.LastOffsetDelta(batch) != recordCount - 1)
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record batch's LastOffsetDelta does not match its record count.");
        }
        else if (RecordBatchHeader.ProducerId(batch) >= 0 && RecordBatchHeader.BaseSequence(batch) < 0
                 && !RecordBatchHeader.IsControl(batch))
        {
            // Control batches (transaction markers) carry a producer id and no sequence.
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record batch has a producer id but no base sequence.");
        }
    }

    private static void CheckRecords(ReadOnlySpan<byte> batch, int maxDecompressedBatchBytes, ref RecordBatchValidationResult result)
    {
        DecompressionStatus status = RecordBatchPayload.Open(batch, maxDecompressedBatchBytes, out RecordBatchPayload payload);
        if (status != DecompressionStatus.Done)
        {
            FailDecompression(status, ref result);
            return;
        }
        using (payload)
        {
            CheckRecordSequence(payload.GetEnumerator(), RecordBatchHeader.BaseTimestamp(batch), ref result);
        }
    }

    private static void CheckRecordSequence(RecordEnumerator records, long baseTimestamp, ref RecordBatchValidationResult result)
    {
        int firstOffsetDelta = result.RecordCount;
        int expectedOffsetDelta = 0;
        while (records.MoveNext())
        {
            Record record = records.Current;
            if (record.OffsetDelta != expectedOffsetDelta)
            {
                result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record's offset delta is not its position in the batch.");
                return;
            }
            result.ObserveRecord(baseTimestamp + record.TimestampDelta, firstOffsetDelta + expectedOffsetDelta, record.IsKeyNull);
            expectedOffsetDelta++;
        }
        if (records.HasError)
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record is malformed or runs past the end of its batch.");
        }
        else if (records.BytesRemaining != 0)
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A record batch has bytes after its last record.");
        }
    }

    private static void FailDecompression(DecompressionStatus status, ref RecordBatchValidationResult result)
    {
        if (status == DecompressionStatus.SizeLimitExceeded)
        {
            result.Fail(RecordBatchValidationOutcome.DecompressedSizeExceeded, "A compressed record batch decompresses beyond the size limit.");
        }
        else
        {
            result.Fail(RecordBatchValidationOutcome.InvalidRecord, "A compressed record batch does not decompress.");
        }
    }
}
