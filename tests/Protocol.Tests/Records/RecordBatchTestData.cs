using System.Buffers.Binary;
using System.Text;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests.Records;

/// <summary>Batches and hand-made record bytes for the record tests.</summary>
internal static class RecordBatchTestData
{
    public const long BaseTimestamp = 1_710_000_000_000;

    public static byte[] Batch(CompressionType compression = CompressionType.None, int recordCount = 3, int valueSize = 10,
        Action<RecordBatchBuilder>? configure = null)
    {
        using var builder = new RecordBatchBuilder(compression);
        configure?.Invoke(builder);
        for (int i = 0; i < recordCount; i++)
        {
            byte[] value = new byte[valueSize];
            value.AsSpan().Fill((byte)('a' + i % 26));
            builder.Append(BaseTimestamp + i, Encoding.UTF8.GetBytes($"k{i}"), value);
        }
        return builder.Build();
    }

    /// <summary>Recomputes the CRC after a test has changed the batch on purpose.</summary>
    public static byte[] Resign(byte[] batch)
    {
        RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    public static byte[] SetInt16(byte[] batch, int offset, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(offset), value);
        return batch;
    }

    public static byte[] SetInt32(byte[] batch, int offset, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(offset), value);
        return batch;
    }

    public static byte[] SetInt64(byte[] batch, int offset, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(offset), value);
        return batch;
    }

    /// <summary>
    /// A valid header (from the builder) around <paramref name="section"/> as the records section,
    /// with BatchLength, RecordCount, LastOffsetDelta and CRC made to fit.
    /// </summary>
    public static byte[] WithRecordsSection(ReadOnlySpan<byte> section, int recordCount, CompressionType compression = CompressionType.None)
    {
        byte[] batch = new byte[RecordBatchHeader.Size + section.Length];
        Batch(compression, 1).AsSpan(0, RecordBatchHeader.Size).CopyTo(batch);
        section.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        SetInt32(batch, RecordBatchHeader.BatchLengthOffset, batch.Length - RecordBatchHeader.LogOverhead);
        SetInt32(batch, RecordBatchHeader.RecordCountOffset, recordCount);
        SetInt32(batch, RecordBatchHeader.LastOffsetDeltaOffset, recordCount - 1);
        return Resign(batch);
    }

    /// <summary>Record bytes: the body built by <paramref name="body"/>, preceded by its varint length.</summary>
    public static byte[] RawRecord(Action<RawRecordWriter> body)
    {
        var writer = new RawRecordWriter();
        body(writer);
        byte[] bodyBytes = writer.ToArray();
        var record = new RawRecordWriter();
        record.VarInt(bodyBytes.Length).Raw(bodyBytes);
        return record.ToArray();
    }

    /// <summary>A well-formed record with the given offset delta, key "k" and value "v", no headers.</summary>
    public static byte[] SimpleRecord(int offsetDelta) =>
        RawRecord(w => w.Byte(0).VarLong(0).VarInt(offsetDelta).Bytes("k"u8).Bytes("v"u8).VarInt(0));
}

internal sealed class RawRecordWriter
{
    private readonly List<byte> bytes = [];

    public RawRecordWriter Byte(byte value)
    {
        bytes.Add(value);
        return this;
    }

    public RawRecordWriter VarInt(int value)
    {
        Span<byte> buffer = stackalloc byte[5];
        return Raw(buffer[..Primitives.VarInt.WriteInt32(buffer, value)]);
    }

    public RawRecordWriter VarLong(long value)
    {
        Span<byte> buffer = stackalloc byte[10];
        return Raw(buffer[..Primitives.VarInt.WriteInt64(buffer, value)]);
    }

    public RawRecordWriter Bytes(ReadOnlySpan<byte> value) => VarInt(value.Length).Raw(value);

    public RawRecordWriter Raw(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            bytes.Add(b);
        }
        return this;
    }

    public byte[] ToArray() => [.. bytes];
}
