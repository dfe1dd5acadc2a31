using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Tests;

public class CodecTaggedFieldTests
{
    [Fact]
    public void UnknownTaggedFieldsSurviveARoundTrip()
    {
        var request = new ApiVersionsRequest
        {
            ClientSoftwareName = "x",
            ClientSoftwareVersion = "1",
            UnknownTaggedFields = [new(5, [1, 2, 3]), new(1000, [])],
        };
        byte[] encoded = CodecFiller.Encode(request, 3);
        // "x", "1", then 2 tagged fields: tag 5 (3 bytes), tag 1000 (varint e807, empty).
        Assert.Equal("0278" + "0231" + "02" + "0503010203" + "E80700", Convert.ToHexString(encoded));

        var decoded = CodecFiller.Decode<ApiVersionsRequest>(encoded, 3);

        Assert.NotNull(decoded.UnknownTaggedFields);
        Assert.Equal([5, 1000], decoded.UnknownTaggedFields.Select(f => f.Tag));
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.UnknownTaggedFields[0].Data);
        Assert.Equal(encoded, CodecFiller.Encode(decoded, 3));
    }

    [Fact]
    public void ATagNewerThanTheVersionIsKeptRawAndWrittenBackInOrder()
    {
        // FetchRequest partitions: tag 0 ReplicaDirectoryId (v17+), tag 1 HighWatermark (v18+).
        var partition = new FetchRequest.FetchPartition
        {
            Partition = 3,
            FetchOffset = 100,
            ReplicaDirectoryId = new KafkaUuid(1, 2),
            HighWatermark = 500,
        };
        byte[] v18 = CodecFiller.Encode(partition, 18);

        var asV17 = CodecFiller.Decode<FetchRequest.FetchPartition>(v18, 17);
        Assert.Equal(new KafkaUuid(1, 2), asV17.ReplicaDirectoryId);
        Assert.Equal(long.MaxValue, asV17.HighWatermark);
        RawTaggedField raw = Assert.Single(asV17.UnknownTaggedFields!);
        Assert.Equal(1, raw.Tag);
        Assert.Equal(v18, CodecFiller.Encode(asV17, 17));

        var asV16 = CodecFiller.Decode<FetchRequest.FetchPartition>(v18, 16);
        Assert.Equal(2, asV16.UnknownTaggedFields!.Count);
        Assert.Equal(v18, CodecFiller.Encode(asV16, 16));
    }

    [Fact]
    public void KnownTaggedFieldsAtTheirDefaultAreNotWritten()
    {
        var partition = new FetchRequest.FetchPartition { Partition = 3 };
        byte[] encoded = CodecFiller.Encode(partition, 18);
        Assert.Equal("00", Convert.ToHexString(encoded[^1..]));
        Assert.Equal(4 + 4 + 8 + 4 + 8 + 4 + 1, encoded.Length);
    }
}
