using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Tests;

/// <summary>
/// Bad input never throws: every strict prefix of a valid encoding decodes with HasError, and a
/// length or count larger than the remaining bytes fails without allocating for it.
/// </summary>
public class TruncatedInputTests
{
    public static IEnumerable<object[]> EveryMessageVersion() => CodecFiller.EveryMessageVersion();

    [Theory]
    [MemberData(nameof(EveryMessageVersion))]
    public void EveryPrefixOfAValidEncodingFailsCleanly(string message, short version)
    {
        byte[] encoded = CodecFiller.Encode(CodecFiller.Filled(message, version), version);
        for (int length = 0; length < encoded.Length; length++)
        {
            IKafkaMessage decoded = CodecFiller.Create(message);
            var reader = new KafkaReader(encoded.AsMemory(0, length));
            decoded.Read(ref reader, version);
            Assert.True(reader.HasError, $"{message} v{version}: prefix of {length}/{encoded.Length} bytes decoded without error");
        }
    }

    [Theory]
    [InlineData("MetadataRequest", 1, "7fffffff0003666f6f")]          // int32 array count 2^31-1
    [InlineData("MetadataRequest", 12, "ffffffff0f00")]               // compact array count 2^32-1
    [InlineData("MetadataRequest", 12, "8080808008")]                 // compact array count 2^31
    [InlineData("MetadataRequest", 1, "000000017fff666f6f")]          // string length 32767, 3 bytes there
    [InlineData("MetadataRequest", 12, "0200000000000000000000000000000000ffffff7f")] // compact string length 2^28
    [InlineData("SaslAuthenticateRequest", 0, "7fffffff0102")]        // bytes length 2^31-1
    [InlineData("SaslAuthenticateRequest", 2, "ffffffff07")]          // compact bytes length 2^31-2
    [InlineData("ProduceRequest", 3, "ffffffff00007530000000010003666f6f00000001000000007fffffffdeadbeef")] // records length 2^31-1
    [InlineData("ApiVersionsRequest", 3, "0101ffffffff07")]            // tagged field count 2^31-1
    [InlineData("ApiVersionsRequest", 3, "01010101ffffff7f00")]        // tagged field size 2^28-1
    [InlineData("ApiVersionsRequest", 3, "ffffffffff7f")]             // varint longer than 5 bytes
    [InlineData("ListOffsetsResponse", 0, "000000010003666f6f00000001000000000000007fffffff")] // []int64 count 2^31-1
    [InlineData("OffsetFetchRequest", 1, "0001670000000100016800000002000000")]  // []int32 count 2, one int32 short
    public void HostileLengthsFailWithoutAllocatingForThem(string message, short version, string hex)
    {
        byte[] input = Convert.FromHexString(hex);
        IKafkaMessage decoded = CodecFiller.Create(message);
        var reader = new KafkaReader(input);
        decoded.Read(ref reader, version); // warm up: JIT and type loading allocate on first use

        decoded = CodecFiller.Create(message);
        long before = GC.GetAllocatedBytesForCurrentThread();
        reader = new KafkaReader(input);
        decoded.Read(ref reader, version);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(reader.HasError);
        Assert.True(allocated < 2048, $"allocated {allocated} bytes");
    }

    [Fact]
    public void AnArrayStopsAtTheFirstBadElementInsteadOfMakingCountEmptyOnes()
    {
        // 999 topics claimed (compact count e807), and 1000 bytes that fit the count but are garbage.
        byte[] input = [0xe8, 0x07, .. Enumerable.Repeat((byte)0xff, 1000)];
        var warmUp = new MetadataRequest();
        var reader = new KafkaReader(input);
        warmUp.Read(ref reader, 12);

        var request = new MetadataRequest();
        long before = GC.GetAllocatedBytesForCurrentThread();
        reader = new KafkaReader(input);
        request.Read(ref reader, 12);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(reader.HasError);
        Assert.True(allocated < 16 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void AnErrorIsStickyEvenWhenBytesRemain()
    {
        // A null where the version does not allow one (MetadataRequest v9: topic names are nullable from v10).
        byte[] input = Convert.FromHexString("02" + "00" + "0101");
        var request = new MetadataRequest();
        var reader = new KafkaReader(input);
        request.Read(ref reader, 9);
        Assert.True(reader.HasError);
        Assert.Equal(0, reader.ReadInt8());
        Assert.True(reader.HasError);
    }
}
