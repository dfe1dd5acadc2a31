using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests;

/// <summary>
/// Every generated message at every version it defines, with a non-default value in every field
/// present at that version: write, read back, write again; the bytes must match and Size must be
/// exactly the bytes written.
/// </summary>
public class RoundTripTests
{
    public static IEnumerable<object[]> EveryMessageVersion() => CodecFiller.EveryMessageVersion();

    [Theory]
    [MemberData(nameof(EveryMessageVersion))]
    public void EveryFieldSurvivesWriteReadWrite(string message, short version)
    {
        IKafkaMessage original = CodecFiller.Filled(message, version);
        byte[] first = CodecFiller.Encode(original, version);

        IKafkaMessage decoded = CodecFiller.Decode(message, first, version);
        CodecFiller.AssertSameFields(original, decoded, version, message);
        byte[] second = CodecFiller.Encode(decoded, version);

        Assert.Equal(Convert.ToHexString(first), Convert.ToHexString(second));
    }

    [Fact]
    public void CoversEveryRequestResponsePairHeaderAndConsumerProtocolType()
    {
        // 92 API keys (0-75 from 3.8.0, 76-81 and 83-92 from 4.x), two headers, two consumer-protocol types.
        Assert.Equal(92 * 2 + 4, CodecFiller.MessageTypes.Length);
        Assert.Contains(typeof(ConsumerProtocolSubscription), CodecFiller.MessageTypes);
        Assert.Contains(typeof(ConsumerProtocolAssignment), CodecFiller.MessageTypes);
        Assert.Contains(typeof(RequestHeader), CodecFiller.MessageTypes);
        Assert.Contains(typeof(ResponseHeader), CodecFiller.MessageTypes);
    }

    [Fact]
    public void DecodedRecordsAreASliceOfTheInputNotACopy()
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 1000,
            TopicData = [new ProduceRequest.TopicProduceData
            {
                Name = "t",
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new MemoryRecords(new byte[] { 9, 8, 7 }) }],
            }],
        };
        byte[] bytes = CodecFiller.Encode(request, 9);

        var decoded = CodecFiller.Decode<ProduceRequest>(bytes, 9);

        var records = Assert.IsType<MemoryRecords>(decoded.TopicData[0].PartitionData[0].Records);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records.Buffer, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(new byte[] { 9, 8, 7 }, records.Buffer.ToArray());
    }
}
