using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests.Records;

/// <summary>Batches written by real clients (kafka-python and librdkafka, see tools/fixtures), one per codec.</summary>
public class RecordBatchFixtureTests
{
    private const int DecompressionLimit = 1 << 20;

    public static TheoryData<string, CompressionType> Codecs => new()
    {
        { "none", CompressionType.None },
        { "gzip", CompressionType.Gzip },
        { "snappy", CompressionType.Snappy },
        { "lz4", CompressionType.Lz4 },
        { "zstd", CompressionType.Zstd },
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void KafkaPythonBatchIsValid(string codec, CompressionType compression)
    {
        byte[] batch = KafkaPythonFixture.Load(codec);
        Assert.Equal(compression, RecordBatchHeader.Compression(batch));

        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, DecompressionLimit);

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.Null(result.ErrorMessage);
        Assert.Equal(1, result.BatchCount);
        Assert.Equal(KafkaPythonFixture.RecordCount, result.RecordCount);
        Assert.Equal(batch.Length, result.LargestBatchSizeInBytes);
        Assert.Equal(KafkaPythonFixture.Timestamp(KafkaPythonFixture.RecordWithMaxTimestamp), result.MaxTimestamp);
        Assert.Equal(KafkaPythonFixture.RecordWithMaxTimestamp, result.OffsetDeltaOfMaxTimestamp);
        Assert.Equal(KafkaPythonFixture.BaseTimestamp, result.MinTimestamp);
        Assert.True(result.HasNullKey);
        Assert.False(result.IsTransactional);
        Assert.False(result.HasControlBatch);
        Assert.Equal(KafkaPythonFixture.ProducerId, result.ProducerId);
        Assert.Equal(KafkaPythonFixture.ProducerEpoch, result.ProducerEpoch);
        Assert.Equal(KafkaPythonFixture.BaseSequence, result.BaseSequence);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void KafkaPythonBatchRecordsReadExactly(string codec, CompressionType compression)
    {
        byte[] batch = KafkaPythonFixture.Load(codec);
        Assert.Equal(compression, RecordBatchHeader.Compression(batch));
        KafkaPythonFixture.AssertRecords(batch);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void KafkaPythonBatchFailsBelowItsDecompressedSize(string codec, CompressionType compression)
    {
        byte[] batch = KafkaPythonFixture.Load(codec);
        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, 10_000);
        RecordBatchValidationOutcome expected = compression == CompressionType.None
            ? RecordBatchValidationOutcome.Valid
            : RecordBatchValidationOutcome.DecompressedSizeExceeded;
        Assert.Equal(expected, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BuilderRewritesTheKafkaPythonRecordsIdentically(string codec, CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            ProducerId = KafkaPythonFixture.ProducerId,
            ProducerEpoch = KafkaPythonFixture.ProducerEpoch,
            BaseSequence = KafkaPythonFixture.BaseSequence,
        };
        for (int i = 0; i < KafkaPythonFixture.RecordCount; i++)
        {
            builder.Append(KafkaPythonFixture.Timestamp(i), KafkaPythonFixture.Key(i), KafkaPythonFixture.Value(i), KafkaPythonFixture.Headers(i));
        }
        byte[] ours = builder.Build();
        byte[] theirs = KafkaPythonFixture.Load(codec);

        // Same records section when uncompressed; compressed output may differ, its content may not.
        if (compression == CompressionType.None)
        {
            Assert.Equal(theirs.AsSpan(RecordBatchHeader.Size).ToArray(), ours.AsSpan(RecordBatchHeader.Size).ToArray());
        }
        KafkaPythonFixture.AssertRecords(ours);
        Assert.Equal(RecordBatchHeader.MaxTimestamp(theirs), RecordBatchHeader.MaxTimestamp(ours));
        Assert.Equal(RecordBatchHeader.BaseTimestamp(theirs), RecordBatchHeader.BaseTimestamp(ours));
        Assert.Equal(RecordBatchHeader.LastOffsetDelta(theirs), RecordBatchHeader.LastOffsetDelta(ours));
        Assert.Equal(RecordBatchHeader.Attributes(theirs), RecordBatchHeader.Attributes(ours));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void LibrdkafkaBatchIsValid(string codec, CompressionType compression)
    {
        byte[] batch = LibrdkafkaFixture.Load(codec);
        Assert.Equal(compression, RecordBatchHeader.Compression(batch));

        RecordBatchValidationResult result = RecordBatchValidator.Validate(batch, DecompressionLimit);

        Assert.Equal(RecordBatchValidationOutcome.Valid, result.Outcome);
        Assert.Equal(1, result.BatchCount);
        Assert.Equal(LibrdkafkaFixture.RecordCount, result.RecordCount);
        Assert.Equal(RecordBatchHeader.MaxTimestamp(batch), result.MaxTimestamp);
        Assert.Equal(RecordBatchHeader.BaseTimestamp(batch), result.MinTimestamp);
        Assert.Equal(0, result.OffsetDeltaOfMaxTimestamp);
        Assert.False(result.HasNullKey);
        Assert.Equal(-1, result.ProducerId);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void LibrdkafkaBatchRecordsReadExactly(string codec, CompressionType compression)
    {
        byte[] batch = LibrdkafkaFixture.Load(codec);
        Assert.Equal(compression, RecordBatchHeader.Compression(batch));
        LibrdkafkaFixture.AssertRecords(batch);
    }

    [Fact]
    public void LibrdkafkaWritesRawSnappyAndKafkaPythonWritesXerial()
    {
        ReadOnlySpan<byte> xerialMagic = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
        Assert.False(LibrdkafkaFixture.Load("snappy").AsSpan(RecordBatchHeader.Size).StartsWith(xerialMagic));
        Assert.True(KafkaPythonFixture.Load("snappy").AsSpan(RecordBatchHeader.Size).StartsWith(xerialMagic));
    }
}
