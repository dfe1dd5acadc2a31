using System.Buffers.Binary;
using System.Text;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// Builds one magic-2 record batch. Records are appended uncompressed to a pooled buffer; Build
/// compresses them as a whole, frames them with the 61-byte header and sets the CRC. Offset deltas
/// run 0..n-1 and the first record's timestamp is the batch's BaseTimestamp, as Kafka's clients do.
/// Used for control records and the broker's own logs, and by tests; not on the produce path.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private PooledByteBuffer records;
    private long baseTimestamp;
    private long maxTimestamp = -1;

    public RecordBatchBuilder(CompressionType compression = CompressionType.None)
    {
        if ((byte)compression > (byte)CompressionType.Zstd)
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression, "Kafka defines no such codec.");
        }
        Compression = compression;
    }

    public CompressionType Compression { get; }

    public long BaseOffset { get; set; }

    /// <summary>-1 (none) as clients send it; the log sets the leader's epoch on append.</summary>
    public int PartitionLeaderEpoch { get; set; } = -1;

    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; } = -1;

    public int BaseSequence { get; set; } = -1;

    public bool IsTransactional { get; set; }

    public bool IsControl { get; set; }

    public int RecordCount { get; private set; }

    /// <summary>Appends a record; a null key or value is written as null (length -1), not empty.</summary>
    public void Append(long timestamp, byte[]? key, byte[]? value, ReadOnlySpan<KeyValuePair<string, byte[]?>> headers = default)
    {
        if (RecordCount == 0)
        {
            baseTimestamp = timestamp;
        }
        long timestampDelta = timestamp - baseTimestamp;
        int offsetDelta = RecordCount;
        int bodySize = 1 + VarInt.SizeOfInt64(timestampDelta) + VarInt.SizeOfInt32(offsetDelta)
            + SizeOfBytes(key) + SizeOfBytes(value) + SizeOfHeaders(headers);
        int recordSize = VarInt.SizeOfInt32(bodySize) + bodySize;

        Span<byte> destination = records.GetSpan(recordSize);
        int position = VarInt.WriteInt32(destination, bodySize);
        destination[position++] = 0; // record attributes: unused
        position += VarInt.WriteInt64(destination[position..], timestampDelta);
        position += VarInt.WriteInt32(destination[position..], offsetDelta);
        position += WriteBytes(destination[position..], key);
        position += WriteBytes(destination[position..], value);
        position += WriteHeaders(destination[position..], headers);
        records.Advance(position);

        RecordCount++;
        maxTimestamp = Math.Max(maxTimestamp, timestamp);
    }

    /// <summary>The finished batch, compressed as configured, with its CRC set.</summary>
    public byte[] Build()
    {
        if (RecordCount == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }
        var compressed = new PooledByteBuffer();
        try
        {
            ReadOnlySpan<byte> section = records.WrittenSpan;
            if (Compression != CompressionType.None)
            {
                RecordCompression.Compress(Compression, section, ref compressed);
                section = compressed.WrittenSpan;
            }
            byte[] batch = new byte[RecordBatchHeader.Size + section.Length];
            WriteHeader(batch);
            section.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
            RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
            return batch;
        }
        finally
        {
            compressed.Dispose();
        }
    }

    public void Dispose() => records.Dispose();

    private void WriteHeader(Span<byte> batch)
    {
        short attributes = (short)Compression;
        attributes |= IsTransactional ? RecordBatchHeader.TransactionalFlag : (short)0;
        attributes |= IsControl ? RecordBatchHeader.ControlFlag : (short)0;

        RecordBatchHeader.SetBaseOffset(batch, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        RecordBatchHeader.SetPartitionLeaderEpoch(batch, PartitionLeaderEpoch);
        batch[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..], RecordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.RecordCountOffset..], RecordCount);
    }

    private static int SizeOfBytes(byte[]? bytes) =>
        bytes is null ? VarInt.SizeOfInt32(-1) : VarInt.SizeOfInt32(bytes.Length) + bytes.Length;

    private static int SizeOfHeaders(ReadOnlySpan<KeyValuePair<string, byte[]?>> headers)
    {
        int size = VarInt.SizeOfInt32(headers.Length);
        foreach (KeyValuePair<string, byte[]?> header in headers)
        {
            int keySize = Encoding.UTF8.GetByteCount(header.Key);
            size += VarInt.SizeOfInt32(keySize) + keySize + SizeOfBytes(header.Value);
        }
        return size;
    }

    private static int WriteBytes(Span<byte> destination, byte[]? bytes)
    {
        if (bytes is null)
        {
            return VarInt.WriteInt32(destination, -1);
        }
        int position = VarInt.WriteInt32(destination, bytes.Length);
        bytes.CopyTo(destination[position..]);
        return position + bytes.Length;
    }

    private static int WriteHeaders(Span<byte> destination, ReadOnlySpan<KeyValuePair<string, byte[]?>> headers)
    {
        int position = VarInt.WriteInt32(destination, headers.Length);
        foreach (KeyValuePair<string, byte[]?> header in headers)
        {
            int keySize = Encoding.UTF8.GetByteCount(header.Key);
            position += VarInt.WriteInt32(destination[position..], keySize);
            position += Encoding.UTF8.GetBytes(header.Key, destination[position..]);
            position += WriteBytes(destination[position..], header.Value);
        }
        return position;
    }
}
