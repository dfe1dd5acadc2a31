using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// The uncompressed records section of one batch: a slice of the batch itself when it is not
/// compressed, otherwise a pooled buffer holding the decompressed bytes. Dispose it to return the
/// buffer. <c>foreach (Record record in payload)</c> walks the records.
/// </summary>
public ref struct RecordBatchPayload
{
    private PooledByteBuffer decompressed;
    private ReadOnlySpan<byte> records;

    private RecordBatchPayload(ReadOnlySpan<byte> records, int recordCount, PooledByteBuffer decompressed)
    {
        this.records = records;
        RecordCount = recordCount;
        this.decompressed = decompressed;
    }

    public readonly ReadOnlySpan<byte> Records => records;

    public int RecordCount { get; }

    /// <summary>
    /// Opens the records of <paramref name="batch"/>, a complete magic-2 batch whose header has been
    /// checked (see <see cref="RecordBatchValidator"/>). Decompression produces at most
    /// <paramref name="maxDecompressedBytes"/> bytes; on any status but Done the payload is empty.
    /// </summary>
    public static DecompressionStatus Open(ReadOnlySpan<byte> batch, int maxDecompressedBytes, out RecordBatchPayload payload)
    {
        ReadOnlySpan<byte> section = batch[RecordBatchHeader.Size..RecordBatchHeader.SizeInBytes(batch)];
        int recordCount = RecordBatchHeader.RecordCount(batch);
        CompressionType compression = RecordBatchHeader.Compression(batch);
        if (compression == CompressionType.None)
        {
            payload = new RecordBatchPayload(section, recordCount, default);
            return DecompressionStatus.Done;
        }
        var buffer = new PooledByteBuffer();
        DecompressionStatus status = RecordCompression.Decompress(compression, section, maxDecompressedBytes, ref buffer);
        if (status != DecompressionStatus.Done)
        {
            buffer.Dispose();
            payload = default;
            return status;
        }
        payload = new RecordBatchPayload(buffer.WrittenSpan, recordCount, buffer);
        return DecompressionStatus.Done;
    }

    public readonly RecordEnumerator GetEnumerator() => new(records, RecordCount);

    public void Dispose()
    {
        decompressed.Dispose();
        records = default;
    }
}
