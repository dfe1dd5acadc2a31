using KafkaSharp.Protocol.Records;
using static KafkaSharp.Protocol.Tests.Records.RecordBatchTestData;

namespace KafkaSharp.Protocol.Tests.Records;

public class RecordBatchValidatorTests
{
    private const int Limit = 16 * 1024 * 1024;

    public static TheoryData<CompressionType> AllCodecs =>
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    public static TheoryData<CompressionType> CompressedCodecs =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void BuiltBatchIsValid(CompressionType compression)
    {
        byte[] batch = Batch(compression, recordCount: 50, configure: b =>
        {
            b.ProducerId = 77;
            b.ProducerEpoch = 2;
            b.BaseSequence = 900;
            b.IsTransactional = true;
        });

        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, Limit);

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.Equal(1, result.BatchCount);
        Assert.Equal(50, result.RecordCount);
        Assert.Equal(BaseTimestamp + 49, result.MaxTimestamp);
        Assert.Equal(49, result.OffsetDeltaOfMaxTimestamp);
        Assert.Equal(BaseTimestamp, result.MinTimestamp);
        Assert.False(result.HasNullKey);
        Assert.True(result.IsTransactional);
        Assert.False(result.HasControlBatch);
        Assert.Equal(77, result.ProducerId);
        Assert.Equal(2, result.ProducerEpoch);
        Assert.Equal(900, result.BaseSequence);
    }

    [Fact]
    public void ConcatenatedBatchesAreSummed()
    {
        byte[] first = Batch(CompressionType.None, recordCount: 3, configure: b => b.ProducerId = -1);
        byte[] second;
        using (var builder = new RecordBatchBuilder(CompressionType.Lz4) { IsTransactional = true, ProducerId = 5, BaseSequence = 0 })
        {
            builder.Append(BaseTimestamp - 10, null, [1]);
            builder.Append(BaseTimestamp + 500, [2], [2]);
            second = builder.Build();
        }

        RecordBatchValidationResult result = RecordBatchValidator.Validate([.. first, .. second], Limit);

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.Equal(2, result.BatchCount);
        Assert.Equal(5, result.RecordCount);
        Assert.Equal(BaseTimestamp + 500, result.MaxTimestamp);
        Assert.Equal(4, result.OffsetDeltaOfMaxTimestamp);
        Assert.Equal(BaseTimestamp - 10, result.MinTimestamp);
        Assert.True(result.HasNullKey);
        Assert.True(result.IsTransactional);
        Assert.Equal(-1, result.ProducerId);
        Assert.Equal(Math.Max(first.Length, second.Length), result.LargestBatchSizeInBytes);
    }

    [Fact]
    public void FirstRecordWithTheMaxTimestampIsReported()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(100, null, null);
        builder.Append(300, null, null);
        builder.Append(300, null, null);
        RecordBatchValidationResult result = RecordBatchValidator.Validate(builder.Build(), Limit);
        Assert.Equal(300, result.MaxTimestamp);
        Assert.Equal(1, result.OffsetDeltaOfMaxTimestamp);
    }

    [Fact]
    public void NoTimestampIsNotTheMinimum()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(-1, null, null);
        builder.Append(400, null, null);
        RecordBatchValidationResult result = RecordBatchValidator.Validate(builder.Build(), Limit);
        Assert.Equal(400, result.MinTimestamp);
        Assert.Equal(400, result.MaxTimestamp);
    }

    [Fact]
    public void NoBatchIsInvalid() =>
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, []);

    [Fact]
    public void BatchCutShortIsCorrupt()
    {
        byte[] batch = Batch();
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch[..^1]);
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch[..60]);
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch[..16]);
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch[..5]);
    }

    [Fact]
    public void SecondBatchCutShortIsCorrupt()
    {
        byte[] batch = Batch();
        RecordBatchValidationResult result = RecordBatchValidator.Validate([.. batch, .. batch[..^3]], Limit);
        Assert.Equal(RecordBatchValidationOutcome.CorruptMessage, result.Outcome);
        Assert.Equal(1, result.BatchCount);
    }

    [Fact]
    public void BatchLengthSmallerThanTheHeaderIsCorrupt()
    {
        byte[] batch = SetInt32(Batch(), 8, 48);
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch);
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, SetInt32(batch, 8, -1));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void DamagedBytesFailTheCrc(CompressionType compression)
    {
        byte[] batch = Batch(compression, recordCount: 20, valueSize: 100);
        foreach (int position in new[] { 21, 40, 57, 61, batch.Length / 2, batch.Length - 1 })
        {
            byte[] damaged = (byte[])batch.Clone();
            damaged[position] ^= 0x10;
            AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, damaged);
        }
    }

    [Fact]
    public void BaseOffsetAndLeaderEpochAreOutsideTheCrc()
    {
        byte[] batch = Batch();
        RecordBatchHeader.SetBaseOffset(batch, 123456);
        RecordBatchHeader.SetPartitionLeaderEpoch(batch, 9);
        AssertOutcome(RecordBatchValidationOutcome.Valid, batch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void OlderMagicIsUnsupported(byte magic)
    {
        byte[] batch = Batch();
        batch[RecordBatchHeader.MagicOffset] = magic;
        AssertOutcome(RecordBatchValidationOutcome.UnsupportedMagic, batch);
    }

    [Fact]
    public void UnknownMagicIsCorrupt()
    {
        byte[] batch = Batch();
        batch[RecordBatchHeader.MagicOffset] = 3;
        AssertOutcome(RecordBatchValidationOutcome.CorruptMessage, batch);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void UnknownCodecIsUnsupported(short codec)
    {
        byte[] batch = Resign(SetInt16(Batch(), RecordBatchHeader.AttributesOffset, codec));
        AssertOutcome(RecordBatchValidationOutcome.UnsupportedCompressionType, batch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void RecordCountNotPositiveIsInvalid(int count)
    {
        byte[] batch = SetInt32(Batch(), RecordBatchHeader.RecordCountOffset, count);
        SetInt32(batch, RecordBatchHeader.LastOffsetDeltaOffset, count - 1);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, Resign(batch));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void LastOffsetDeltaNotMatchingTheCountIsInvalid(CompressionType compression)
    {
        byte[] batch = Resign(SetInt32(Batch(compression), RecordBatchHeader.LastOffsetDeltaOffset, 5));
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, batch);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void RecordCountLargerThanTheRecordsIsInvalid(CompressionType compression)
    {
        byte[] batch = SetInt32(Batch(compression), RecordBatchHeader.RecordCountOffset, 4);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, Resign(SetInt32(batch, RecordBatchHeader.LastOffsetDeltaOffset, 3)));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void RecordCountSmallerThanTheRecordsIsInvalid(CompressionType compression)
    {
        byte[] batch = SetInt32(Batch(compression), RecordBatchHeader.RecordCountOffset, 2);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, Resign(SetInt32(batch, RecordBatchHeader.LastOffsetDeltaOffset, 1)));
    }

    [Fact]
    public void ProducerIdWithoutSequenceIsInvalid()
    {
        byte[] batch = Batch(configure: b => b.ProducerId = 12);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, batch);
    }

    [Fact]
    public void ControlBatchMayCarryAProducerIdWithoutSequence()
    {
        byte[] batch = Batch(recordCount: 1, configure: b =>
        {
            b.ProducerId = 12;
            b.IsControl = true;
            b.IsTransactional = true;
        });
        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, Limit);
        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.True(result.HasControlBatch);
        Assert.True(result.IsTransactional);
    }

    [Fact]
    public void HandMadeRecordsParse()
    {
        byte[] section = [.. SimpleRecord(0), .. SimpleRecord(1)];
        AssertOutcome(RecordBatchValidationOutcome.Valid, WithRecordsSection(section, 2));
    }

    [Fact]
    public void OffsetDeltasOutOfOrderAreInvalid()
    {
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection([.. SimpleRecord(1), .. SimpleRecord(0)], 2));
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection([.. SimpleRecord(0), .. SimpleRecord(2)], 2));
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection([.. SimpleRecord(0), .. SimpleRecord(0)], 2));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void OffsetDeltasOutOfOrderInsideACompressedBatchAreInvalid(CompressionType compression)
    {
        byte[] batch = WithRecordsSection(Compress(compression, [.. SimpleRecord(0), .. SimpleRecord(5)]), 2, compression);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, batch);
    }

    [Fact]
    public void BytesAfterTheLastRecordAreInvalid() =>
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection([.. SimpleRecord(0), 0], 1));

    [Fact]
    public void RecordLengthPastTheBatchIsInvalid()
    {
        byte[] record = SimpleRecord(0);
        record[0] += 2; // body length varint (zig-zag): one byte longer
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection(record, 1));
    }

    [Fact]
    public void RecordLengthShorterThanItsFieldsIsInvalid()
    {
        byte[] record = SimpleRecord(0);
        record[0] -= 2;
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection([.. record, .. SimpleRecord(1)], 2));
    }

    public static TheoryData<string, byte[]> MalformedRecords => new()
    {
        { "zero length", [0] },
        { "negative length", [1] },
        { "length varint runs on", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { "key longer than the record", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).VarInt(50).Raw("k"u8).Bytes("v"u8).VarInt(0)) },
        { "value longer than the record", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).VarInt(3).Raw("v"u8)) },
        { "negative header count", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).Bytes("v"u8).VarInt(-1)) },
        { "missing header count", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).Bytes("v"u8)) },
        { "header count past the record", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).Bytes("v"u8).VarInt(2).Bytes("h"u8).Bytes("x"u8)) },
        { "null header key", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).Bytes("v"u8).VarInt(1).VarInt(-1).Bytes("x"u8)) },
        { "header value past the record", RawRecord(w => w.Byte(0).VarLong(0).VarInt(0).Bytes("k"u8).Bytes("v"u8).VarInt(1).Bytes("h"u8).VarInt(9)) },
        { "timestamp varlong runs on", RawRecord(w => w.Byte(0).Raw([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])) },
        { "attributes only", RawRecord(w => w.Byte(0)) },
    };

    [Theory]
    [MemberData(nameof(MalformedRecords))]
    public void MalformedRecordIsInvalid(string description, byte[] record)
    {
        Assert.NotEmpty(description);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection(record, 1));
    }

    [Fact]
    public void NullKeyValueAndHeaderValueAreValid()
    {
        byte[] record = RawRecord(w => w.Byte(0).VarLong(-5).VarInt(0).VarInt(-1).VarInt(-1).VarInt(1).Bytes("h"u8).VarInt(-1));
        RecordBatchValidationResult result = RecordBatchValidator.Validate(WithRecordsSection(record, 1), Limit);
        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.True(result.HasNullKey);
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void CompressedSectionThatDoesNotDecompressIsInvalid(CompressionType compression)
    {
        byte[] garbage = new byte[200];
        new Random(1).NextBytes(garbage);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection(garbage, 1, compression));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void CompressedSectionCutShortIsInvalid(CompressionType compression)
    {
        byte[] compressed = Compress(compression, [.. SimpleRecord(0), .. SimpleRecord(1), .. SimpleRecord(2)]);
        AssertOutcome(RecordBatchValidationOutcome.InvalidRecord, WithRecordsSection(compressed[..^10], 3, compression));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void DecompressionBeyondTheLimitIsRefused(CompressionType compression)
    {
        byte[] batch = Batch(compression, recordCount: 100, valueSize: 1000);
        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, 50_000);
        Assert.Equal(RecordBatchValidationOutcome.DecompressedSizeExceeded, result.Outcome);
        Assert.Equal(RecordBatchValidationOutcome.Valid, RecordBatchValidator.Validate(batch, 200_000).Outcome);
    }

    [Fact]
    public void FailureCarriesAMessage()
    {
        RecordBatchValidationResult result = RecordBatchValidator.Validate(Batch()[..^1], Limit);
        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
    }

    [Fact]
    public void ValidatingAnUncompressedMegabyteDoesNotAllocate()
    {
        byte[] batch = Batch(CompressionType.None, recordCount: 1000, valueSize: 1024);
        Assert.True(batch.Length > 1_000_000);
        RecordBatchValidator.Validate(batch, Limit);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, Limit);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void ValidatingACompressedMegabyteAllocatesLittle(CompressionType compression)
    {
        byte[] batch = Batch(compression, recordCount: 1000, valueSize: 1024);
        RecordBatchValidator.Validate(batch, Limit);

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, Limit);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        // Pooled output; snappy's per-block arrays (1 MiB in 32 KiB blocks) are the only real cost.
        long budget = compression == CompressionType.Snappy ? 1_200_000 : 1024;
        Assert.True(allocated <= budget, $"{allocated} bytes allocated");
    }

    private static byte[] Compress(CompressionType compression, ReadOnlySpan<byte> data)
    {
        var buffer = new PooledByteBuffer();
        try
        {
            KafkaSharp.Protocol.Records.Compression.RecordCompression.Compress(compression, data, ref buffer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static void AssertOutcome(RecordBatchValidationOutcome expected, byte[] records)
    {
        RecordBatchValidationResult result = RecordBatchValidator.Validate(records, Limit);
        Assert.True(expected == result.Outcome, $"expected {expected}, got {result.Outcome}: {result.ErrorMessage}");
    }
}
