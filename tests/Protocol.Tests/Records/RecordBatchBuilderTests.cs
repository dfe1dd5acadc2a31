using System.Text;
using KafkaSharp.Protocol.Records;
using Record = KafkaSharp.Protocol.Records.Record;

namespace KafkaSharp.Protocol.Tests.Records;

public class RecordBatchBuilderTests
{
    public static TheoryData<CompressionType> AllCodecs =>
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void WritesEveryHeaderField(CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            BaseOffset = 1000,
            PartitionLeaderEpoch = 4,
            ProducerId = 99,
            ProducerEpoch = 7,
            BaseSequence = 12,
            IsTransactional = true,
        };
        builder.Append(5000, [1], [2]);
        builder.Append(4990, [3], [4]);
        builder.Append(5020, [5], [6]);
        byte[] batch = builder.Build();

        Assert.Equal(1000, RecordBatchHeader.BaseOffset(batch));
        Assert.Equal(batch.Length, RecordBatchHeader.SizeInBytes(batch));
        Assert.Equal(4, RecordBatchHeader.PartitionLeaderEpoch(batch));
        Assert.Equal(RecordBatchHeader.CurrentMagic, RecordBatchHeader.Magic(batch));
        Assert.True(RecordBatchHeader.IsCrcValid(batch));
        Assert.Equal(compression, RecordBatchHeader.Compression(batch));
        Assert.True(RecordBatchHeader.IsTransactional(batch));
        Assert.False(RecordBatchHeader.IsControl(batch));
        Assert.Equal(0, RecordBatchHeader.Attributes(batch) & RecordBatchHeader.TimestampTypeMask);
        Assert.Equal(2, RecordBatchHeader.LastOffsetDelta(batch));
        Assert.Equal(1002, RecordBatchHeader.LastOffset(batch));
        Assert.Equal(5000, RecordBatchHeader.BaseTimestamp(batch));
        Assert.Equal(5020, RecordBatchHeader.MaxTimestamp(batch));
        Assert.Equal(99, RecordBatchHeader.ProducerId(batch));
        Assert.Equal(7, RecordBatchHeader.ProducerEpoch(batch));
        Assert.Equal(12, RecordBatchHeader.BaseSequence(batch));
        Assert.Equal(3, RecordBatchHeader.RecordCount(batch));
        Assert.Equal(3, builder.RecordCount);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void RecordsReadBackAsWritten(CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression);
        builder.Append(100, null, Encoding.UTF8.GetBytes("no key"));
        builder.Append(90, [], null, [new("a", [1]), new("b", null), new("\u00e9t\u00e9", [])]);
        builder.Append(long.MaxValue / 2, Encoding.UTF8.GetBytes("k"), new byte[70_000]);
        byte[] batch = builder.Build();

        Assert.Equal(RecordBatchValidationOutcome.Valid, RecordBatchValidator.Validate(batch, 1 << 20).Outcome);
        Assert.Equal(KafkaSharp.Protocol.Records.Compression.DecompressionStatus.Done,
            RecordBatchPayload.Open(batch, 1 << 20, out RecordBatchPayload payload));
        try
        {
            RecordEnumerator records = payload.GetEnumerator();

            Assert.True(records.MoveNext());
            Record first = records.Current;
            Assert.True(first.IsKeyNull);
            Assert.Equal("no key", Encoding.UTF8.GetString(first.Value));
            Assert.Equal(0, first.TimestampDelta);
            Assert.Equal(0, first.HeaderCount);

            Assert.True(records.MoveNext());
            Record second = records.Current;
            Assert.False(second.IsKeyNull);
            Assert.True(second.Key.IsEmpty);
            Assert.True(second.IsValueNull);
            Assert.Equal(-10, second.TimestampDelta);
            Assert.Equal(1, second.OffsetDelta);
            RecordAssert.HeadersEqual([new("a", [1]), new("b", null), new("\u00e9t\u00e9", [])], second);

            Assert.True(records.MoveNext());
            Record third = records.Current;
            Assert.Equal(long.MaxValue / 2 - 100, third.TimestampDelta);
            Assert.Equal(70_000, third.Value.Length);
            Assert.Equal(2, third.OffsetDelta);

            Assert.False(records.MoveNext());
            Assert.False(records.HasError);
            Assert.Equal(0, records.BytesRemaining);
        }
        finally
        {
            payload.Dispose();
        }
    }

    [Fact]
    public void ControlBatchIsFlagged()
    {
        using var builder = new RecordBatchBuilder { IsControl = true, IsTransactional = true, ProducerId = 3, ProducerEpoch = 1 };
        builder.Append(1, [0, 0, 0, 1], [0, 0, 0, 0, 0, 0]);
        byte[] batch = builder.Build();
        Assert.True(RecordBatchHeader.IsControl(batch));
        Assert.Equal(-1, RecordBatchHeader.BaseSequence(batch));
    }

    [Fact]
    public void EmptyBatchIsRefused()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void UnknownCodecIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordBatchBuilder((CompressionType)5));

    [Fact]
    public void BuildingTwiceGivesTheSameBatch()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Zstd);
        builder.Append(1, [1], [2]);
        Assert.Equal(builder.Build(), builder.Build());
    }
}
