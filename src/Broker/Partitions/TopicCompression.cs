using System.Buffers.Binary;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// A topic's <c>compression.type</c> applied on append, as Kafka's LogValidator applies it: with
/// <c>producer</c> (the default) batches are stored as sent; otherwise a batch in another codec is
/// rebuilt in the topic's codec (<c>uncompressed</c> meaning none). The rebuilt batch keeps every
/// header field (base timestamp, max timestamp, producer id, epoch, sequence, flags) and the records'
/// bytes, so only the compression, the length and the CRC change. This is the one path where the
/// broker copies record bytes on the way in a second time, because the bytes themselves change.
/// Codec levels (<c>compression.gzip.level</c>, ...) are not applied: each codec uses its default.
/// </summary>
internal static class TopicCompression
{
    /// <summary>The codec <paramref name="config"/> stores batches in, or null when it keeps the producer's.</summary>
    public static CompressionType? TargetCodec(LogConfig config) => config.CompressionType switch
    {
        "uncompressed" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => null,
    };

    /// <summary>True when some batch of <paramref name="records"/> (validated, whole batches) is in another codec than <paramref name="target"/>.</summary>
    public static bool NeedsRecompression(ReadOnlySpan<byte> records, CompressionType target)
    {
        while (!records.IsEmpty)
        {
            if (RecordBatchHeader.Compression(records) != target)
            {
                return true;
            }
            records = records[RecordBatchHeader.SizeInBytes(records)..];
        }
        return false;
    }

    /// <summary>Writes <paramref name="records"/> (validated, whole batches) to <paramref name="output"/>, each batch in <paramref name="target"/>.</summary>
    public static void Recompress(ReadOnlySpan<byte> records, CompressionType target, ref PooledByteBuffer output)
    {
        while (!records.IsEmpty)
        {
            var batch = records[..RecordBatchHeader.SizeInBytes(records)];
            records = records[batch.Length..];
            if (RecordBatchHeader.Compression(batch) == target)
            {
                output.Write(batch);
                continue;
            }
            RecordBatchPayload.Open(batch, LogAppendValidator.MaxDecompressedBatchBytes, out var payload);
            var compressed = new PooledByteBuffer();
            try
            {
                var section = payload.Records;
                if (target != CompressionType.None)
                {
                    RecordCompression.Compress(target, section, ref compressed);
                    section = compressed.WrittenSpan;
                }
                int size = RecordBatchHeader.Size + section.Length;
                var rebuilt = output.GetSpan(size)[..size];
                batch[..RecordBatchHeader.Size].CopyTo(rebuilt);
                section.CopyTo(rebuilt[RecordBatchHeader.Size..]);
                BinaryPrimitives.WriteInt32BigEndian(rebuilt[RecordBatchHeader.BatchLengthOffset..], size - RecordBatchHeader.LogOverhead);
                int attributes = ((ushort)RecordBatchHeader.Attributes(batch) & ~RecordBatchHeader.CompressionCodecMask) | (byte)target;
                BinaryPrimitives.WriteInt16BigEndian(rebuilt[RecordBatchHeader.AttributesOffset..], (short)attributes);
                RecordBatchHeader.SetCrc(rebuilt, RecordBatchHeader.ComputeCrc(rebuilt));
                output.Advance(size);
            }
            finally
            {
                compressed.Dispose();
                payload.Dispose();
            }
        }
    }
}
