using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Storage.Tests;

/// <summary>Builds magic-2 record batches for tests: 61-byte header, simple records, CRC-32C.</summary>
internal static class TestBatches
{
    /// <summary>A batch of <paramref name="count"/> records stamped baseTimestamp, baseTimestamp + step, ...</summary>
    public static byte[] Create(int count, long baseTimestamp = 1_000, int valueSize = 16, long timestampStep = 1,
        CompressionType compression = CompressionType.None)
    {
        var timestamps = new long[count];
        for (int i = 0; i < count; i++)
        {
            timestamps[i] = baseTimestamp + i * timestampStep;
        }
        return Create(timestamps, valueSize, compression);
    }

    public static byte[] Create(long[] timestamps, int valueSize = 16, CompressionType compression = CompressionType.None)
    {
        var records = new List<byte>();
        Span<byte> varint = stackalloc byte[10];
        for (int i = 0; i < timestamps.Length; i++)
        {
            var body = new List<byte> { 0 }; // attributes
            body.AddRange(varint[..VarInt.WriteInt64(varint, timestamps[i] - timestamps[0])].ToArray());
            body.AddRange(varint[..VarInt.WriteInt32(varint, i)].ToArray());
            body.AddRange(varint[..VarInt.WriteInt32(varint, -1)].ToArray()); // null key
            body.AddRange(varint[..VarInt.WriteInt32(varint, valueSize)].ToArray());
            for (int b = 0; b < valueSize; b++)
            {
                body.Add((byte)(i + b));
            }
            body.AddRange(varint[..VarInt.WriteInt32(varint, 0)].ToArray()); // no headers
            records.AddRange(varint[..VarInt.WriteInt32(varint, body.Count)].ToArray());
            records.AddRange(body);
        }
        byte[] payload = records.ToArray();
        if (compression != CompressionType.None)
        {
            var compressed = new PooledByteBuffer();
            RecordCompression.Compress(compression, payload, ref compressed);
            payload = compressed.WrittenSpan.ToArray();
            compressed.Dispose();
        }
        var batch = new byte[RecordBatchHeader.Size + payload.Length];
        BinaryPrimitives.WriteInt64BigEndian(batch, 0);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.PartitionLeaderEpochOffset), -1);
        batch[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), (short)compression);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), timestamps.Length - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchHeader.BaseTimestampOffset), timestamps[0]);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchHeader.MaxTimestampOffset), timestamps.Max());
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchHeader.ProducerIdOffset), -1);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.ProducerEpochOffset), -1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BaseSequenceOffset), -1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordCountOffset), timestamps.Length);
        payload.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>The batches in <paramref name="bytes"/>; asserts they are whole and their CRCs valid.</summary>
    public static List<(long BaseOffset, long LastOffset, int Size)> Parse(ReadOnlySpan<byte> bytes)
    {
        var batches = new List<(long, long, int)>();
        while (!bytes.IsEmpty)
        {
            Assert.True(bytes.Length >= RecordBatchHeader.Size, "a partial batch header");
            int size = RecordBatchHeader.SizeInBytes(bytes);
            Assert.True(size <= bytes.Length, "a partial batch");
            Assert.True(RecordBatchHeader.IsCrcValid(bytes[..size]), "a batch with a bad CRC");
            batches.Add((RecordBatchHeader.BaseOffset(bytes), RecordBatchHeader.LastOffset(bytes), size));
            bytes = bytes[size..];
        }
        return batches;
    }

    public static byte[] ToArray(BaseRecords records)
    {
        var bytes = new byte[records.SizeInBytes];
        records.CopyTo(bytes);
        return bytes;
    }
}

/// <summary>A clock tests move by hand. Timers (not used by these tests' code paths) fall back to the system's.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public ManualTimeProvider() : this(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))
    {
    }

    public long NowMs => Now.ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A fresh directory under the system temp folder, removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ks-storage-" + Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
