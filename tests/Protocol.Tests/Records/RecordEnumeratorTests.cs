using KafkaSharp.Protocol.Records;
using Record = KafkaSharp.Protocol.Records.Record;
using static KafkaSharp.Protocol.Tests.Records.RecordBatchTestData;

namespace KafkaSharp.Protocol.Tests.Records;

public class RecordEnumeratorTests
{
    [Fact]
    public void StopsAtTheRecordCount()
    {
        byte[] section = [.. SimpleRecord(0), .. SimpleRecord(1), .. SimpleRecord(2)];
        var records = new RecordEnumerator(section, 2);
        int read = 0;
        while (records.MoveNext())
        {
            read++;
        }
        Assert.Equal(2, read);
        Assert.False(records.HasError);
        Assert.Equal(SimpleRecord(2).Length, records.BytesRemaining);
    }

    [Fact]
    public void MalformedRecordStopsTheWalkWithAnError()
    {
        byte[] section = [.. SimpleRecord(0), .. SimpleRecord(1)[..^1]];
        var records = new RecordEnumerator(section, 2);
        Assert.True(records.MoveNext());
        Assert.False(records.MoveNext());
        Assert.True(records.HasError);
        Assert.False(records.MoveNext());
    }

    [Fact]
    public void RunningOutOfBytesBeforeTheCountIsAnError()
    {
        var records = new RecordEnumerator(SimpleRecord(0), 2);
        Assert.True(records.MoveNext());
        Assert.False(records.MoveNext());
        Assert.True(records.HasError);
    }

    [Fact]
    public void RecordSizeCountsItsLengthPrefix()
    {
        byte[] record = SimpleRecord(0);
        Assert.True(Record.TryRead(record, out Record view, out int consumed));
        Assert.Equal(record.Length, consumed);
        Assert.Equal(record.Length, view.SizeInBytes);
        Assert.Equal("k"u8.ToArray(), view.Key.ToArray());
        Assert.Equal("v"u8.ToArray(), view.Value.ToArray());
    }

    [Fact]
    public void RecordAttributesAreKeptAsRead()
    {
        byte[] record = RawRecord(w => w.Byte(0x5A).VarLong(3).VarInt(0).VarInt(-1).VarInt(-1).VarInt(0));
        Assert.True(Record.TryRead(record, out Record view, out _));
        Assert.Equal(0x5A, view.Attributes);
        Assert.Equal(3, view.TimestampDelta);
    }
}
