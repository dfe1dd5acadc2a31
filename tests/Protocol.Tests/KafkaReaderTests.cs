using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests;

public class KafkaReaderTests
{
    [Fact]
    public void ReadsBigEndianFixedWidthValues()
    {
        var reader = new KafkaReader(Convert.FromHexString("ff" + "0102" + "01020304" + "0102030405060708" + "3ff8000000000000" + "01"));
        Assert.Equal(-1, reader.ReadInt8());
        Assert.Equal(0x0102, reader.ReadInt16());
        Assert.Equal(0x01020304, reader.ReadInt32());
        Assert.Equal(0x0102030405060708, reader.ReadInt64());
        Assert.Equal(1.5, reader.ReadFloat64());
        Assert.True(reader.ReadBool());
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void AShortReadSetsTheErrorAndEveryLaterReadReturnsDefaults()
    {
        var reader = new KafkaReader(new byte[] { 0, 0, 0 });
        Assert.Equal(0, reader.ReadInt32());
        Assert.True(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(0, reader.ReadInt8());
        Assert.Equal("", reader.ReadString(flexible: false));
        Assert.Null(reader.ReadNullableString(flexible: true));
        Assert.True(reader.HasError);
    }

    [Fact]
    public void NullStringsAreNullOnlyWhereNullable()
    {
        var nullable = new KafkaReader(Convert.FromHexString("ffff"));
        Assert.Null(nullable.ReadNullableString(flexible: false));
        Assert.False(nullable.HasError);

        var required = new KafkaReader(Convert.FromHexString("ffff"));
        Assert.Equal("", required.ReadString(flexible: false));
        Assert.True(required.HasError);
    }

    [Fact]
    public void CompactStringsAreLengthPlusOneAndDecodeUtf8()
    {
        // "ü" is two UTF-8 bytes: compact length 2+1.
        var reader = new KafkaReader(Convert.FromHexString("03c3bc" + "01" + "00"));
        Assert.Equal("ü", reader.ReadString(flexible: true));
        Assert.Equal("", reader.ReadString(flexible: true));
        Assert.Null(reader.ReadNullableString(flexible: true));
        Assert.False(reader.HasError);
    }

    [Fact]
    public void RecordsAreASliceOfTheInputMemory()
    {
        byte[] input = Convert.FromHexString("00000003" + "0a0b0c" + "ffffffff");
        var reader = new KafkaReader(input.AsMemory());
        var records = Assert.IsType<MemoryRecords>(reader.ReadRecords(flexible: false, nullable: true));
        Assert.Null(reader.ReadRecords(flexible: false, nullable: true));
        Assert.False(reader.HasError);
        Assert.True(input.AsMemory(4, 3).Span == records.Buffer.Span);
    }

    [Fact]
    public void NullRecordsWhereNotNullableIsAnError()
    {
        var reader = new KafkaReader(Convert.FromHexString("00"));
        Assert.Null(reader.ReadRecords(flexible: true, nullable: false));
        Assert.True(reader.HasError);
    }

    [Fact]
    public void ArraysReadIntoTheGivenList()
    {
        var into = new List<int> { 99 };
        var reader = new KafkaReader(Convert.FromHexString("03" + "00000001" + "00000002"));
        List<int> list = reader.ReadArray<int, Int32Codec>(into, flexible: true);
        Assert.Same(into, list);
        Assert.Equal([1, 2], list);
    }

    [Fact]
    public void AnArrayCountThatTheRemainingBytesCannotHoldFails()
    {
        // Two int32s need 8 bytes; only 7 remain.
        var reader = new KafkaReader(Convert.FromHexString("00000002" + "00000001" + "000000"));
        List<int> list = reader.ReadArray<int, Int32Codec>(null, flexible: false);
        Assert.True(reader.HasError);
        Assert.Empty(list);
    }

    [Fact]
    public void UnknownTaggedFieldsAreKeptWithTheirBytes()
    {
        var reader = new KafkaReader(Convert.FromHexString("02" + "0302abcd" + "8801" + "00"));
        List<RawTaggedField>? fields = reader.ReadTaggedFields();
        Assert.False(reader.HasError);
        Assert.NotNull(fields);
        Assert.Equal(3, fields[0].Tag);
        Assert.Equal(new byte[] { 0xab, 0xcd }, fields[0].Data);
        Assert.Equal(136, fields[1].Tag);
        Assert.Empty(fields[1].Data);
    }
}
