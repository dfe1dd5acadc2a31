using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests;

public class KafkaWriterTests
{
    /// <summary>Stands in for Storage's file slice: records the writer must not copy.</summary>
    private sealed class ExternalRecords(byte[] bytes) : BaseRecords
    {
        public override int SizeInBytes => bytes.Length;

        public override void CopyTo(Span<byte> destination) => bytes.CopyTo(destination);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public void RecordsOtherThanMemoryRecordsAreSplicedNotCopied(short version)
    {
        byte[] records = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        FetchResponse spliced = Fetch(new ExternalRecords(records));
        FetchResponse copied = Fetch(new MemoryRecords(records));
        int size = spliced.Size(version);
        Assert.Equal(copied.Size(version), size);

        byte[] buffer = new byte[size - records.Length];
        var splices = new List<RecordsSplice>();
        var writer = new KafkaWriter(buffer, splices);
        spliced.Write(ref writer, version);

        Assert.Equal(buffer.Length, writer.Position);
        RecordsSplice splice = Assert.Single(splices);
        Assert.IsType<ExternalRecords>(splice.Records);
        byte[] onTheWire = [.. buffer.AsSpan(0, splice.BufferOffset), .. records, .. buffer.AsSpan(splice.BufferOffset)];
        Assert.Equal(CodecFiller.Encode(copied, version), onTheWire);
    }

    [Fact]
    public void SplicingWithoutASpliceListThrows()
    {
        FetchResponse response = Fetch(new ExternalRecords([1, 2, 3]));
        byte[] buffer = new byte[response.Size(12)];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new KafkaWriter(buffer);
            response.Write(ref writer, 12);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(126)]
    [InlineData(127)]
    [InlineData(300)]
    public void StringsAreSizedAndWrittenInUtf8AroundVarintBoundaries(int length)
    {
        foreach (string value in new[] { new string('a', length), new string('ü', length), new string('€', length) })
        {
            foreach (bool flexible in new[] { true, false })
            {
                byte[] buffer = new byte[KafkaWriter.SizeOfString(value, flexible)];
                var writer = new KafkaWriter(buffer);
                writer.WriteString(value, flexible);
                Assert.Equal(buffer.Length, writer.Position);

                var reader = new KafkaReader(buffer);
                Assert.Equal(value, reader.ReadString(flexible));
                Assert.Equal(0, reader.Remaining);
            }
        }
    }

    [Fact]
    public void AStringTooLongForAnInt16LengthThrows()
    {
        string value = new('x', short.MaxValue + 1);
        byte[] buffer = new byte[KafkaWriter.SizeOfString(value, flexible: false)];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new KafkaWriter(buffer);
            writer.WriteString(value, flexible: false);
        });
    }

    [Fact]
    public void ANonIgnorableFieldWithAValueTheVersionLacksThrows()
    {
        // PreferredReadReplica is v11+ and not ignorable.
        FetchResponse response = Fetch(null);
        response.Responses[0].Partitions[0].PreferredReadReplica = 3;
        byte[] buffer = new byte[response.Size(10)];
        UnsupportedVersionException error = Assert.Throws<UnsupportedVersionException>(() =>
        {
            var writer = new KafkaWriter(buffer);
            response.Write(ref writer, 10);
        });
        Assert.Contains("PreferredReadReplica", error.Message);
        CodecFiller.Encode(response, 11);
    }

    [Fact]
    public void AnIgnorableFieldTheVersionLacksIsDropped()
    {
        // LogStartOffset is v5+ and ignorable.
        FetchResponse response = Fetch(null);
        response.Responses[0].Partitions[0].LogStartOffset = 5;
        FetchResponse decoded = CodecFiller.Decode<FetchResponse>(CodecFiller.Encode(response, 4), 4);
        Assert.Equal(-1, decoded.Responses[0].Partitions[0].LogStartOffset);
    }

    [Fact]
    public void NullWhereTheVersionDoesNotAllowItThrows()
    {
        // MetadataResponse topic names are nullable from v12.
        var response = new MetadataResponse { Topics = [new MetadataResponse.MetadataResponseTopic { Name = null }] };
        CodecFiller.Encode(response, 12);
        byte[] buffer = new byte[response.Size(11)];
        Assert.Throws<UnsupportedVersionException>(() =>
        {
            var writer = new KafkaWriter(buffer);
            response.Write(ref writer, 11);
        });
    }

    [Fact]
    public void RawTaggedFieldsInterleaveWithKnownOnesInTagOrder()
    {
        List<RawTaggedField> raw = [new(1, [0xaa]), new(5, [0xbb, 0xcc])];
        byte[] buffer = new byte[16];
        var writer = new KafkaWriter(buffer);
        writer.WriteTaggedFieldCount(raw, knownCount: 2);
        int index = 0;
        writer.WriteRawTaggedFields(raw, ref index, beforeTag: 0);
        writer.WriteTaggedFieldHeader(0, 1);
        writer.WriteInt8(0x11);
        writer.WriteRawTaggedFields(raw, ref index, beforeTag: 3);
        writer.WriteTaggedFieldHeader(3, 1);
        writer.WriteInt8(0x33);
        writer.WriteRawTaggedFields(raw, ref index, int.MaxValue);

        Assert.Equal("04" + "000111" + "0101AA" + "030133" + "0502BBCC", Convert.ToHexString(buffer.AsSpan(0, writer.Position)));
        Assert.Equal(writer.Position, KafkaWriter.SizeOfTaggedFields(raw, 2) + KafkaWriter.SizeOfTaggedField(0, 1) + KafkaWriter.SizeOfTaggedField(3, 1));
    }

    private static FetchResponse Fetch(BaseRecords? records) => new()
    {
        Responses = [new FetchResponse.FetchableTopicResponse
        {
            Topic = "foo",
            Partitions = [new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = 10, Records = records }],
        }],
    };
}
