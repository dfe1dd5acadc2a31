using System.Text;
using KafkaSharp.Protocol.Records;
using Record = KafkaSharp.Protocol.Records.Record;

namespace KafkaSharp.Protocol.Tests.Records;

/// <summary>
/// The records that tools/fixtures/make_record_batches.py asks kafka-python to write into
/// Fixtures/kafka-python-&lt;codec&gt;.bin; the two must describe the same content.
/// </summary>
internal static class KafkaPythonFixture
{
    public const int RecordCount = 30;
    public const long BaseTimestamp = 1_700_000_000_000;
    public const long ProducerId = 4242;
    public const short ProducerEpoch = 3;
    public const int BaseSequence = 17;
    public const int RecordWithMaxTimestamp = 10;

    private static readonly string Filler = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", 60));

    public static byte[] Load(string codec) => File.ReadAllBytes(FixturePath($"kafka-python-{codec}.bin"));

    public static string FixturePath(string fileName) => Path.Combine(AppContext.BaseDirectory, "Records", "Fixtures", fileName);

    public static byte[]? Key(int i) => i == 3 ? null : Encoding.UTF8.GetBytes($"key-{i}");

    public static byte[]? Value(int i) => i switch
    {
        5 => null,
        7 => [],
        _ => Encoding.UTF8.GetBytes($"value-{i}|{Filler}"),
    };

    public static long Timestamp(int i) => i == RecordWithMaxTimestamp ? BaseTimestamp + 50_000 : BaseTimestamp + i * 7;

    public static KeyValuePair<string, byte[]?>[] Headers(int i) => (i % 3) switch
    {
        0 => [new("trace-id", Encoding.UTF8.GetBytes($"t-{i}")), new("empty", []), new("null", null)],
        1 => [new("\u00fanico", [0xFF, 0x00])],
        _ => [],
    };

    /// <summary>Asserts that <paramref name="batch"/>'s records are exactly the fixture's records.</summary>
    public static void AssertRecords(ReadOnlySpan<byte> batch)
    {
        Assert.Equal(RecordCount, RecordBatchHeader.RecordCount(batch));
        long baseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
        var status = RecordBatchPayload.Open(batch, 1 << 20, out RecordBatchPayload payload);
        Assert.Equal(KafkaSharp.Protocol.Records.Compression.DecompressionStatus.Done, status);
        try
        {
            int i = 0;
            foreach (Record record in payload)
            {
                Assert.Equal(i, record.OffsetDelta);
                Assert.Equal(Timestamp(i), baseTimestamp + record.TimestampDelta);
                RecordAssert.BytesEqual(Key(i), record.Key, record.IsKeyNull);
                RecordAssert.BytesEqual(Value(i), record.Value, record.IsValueNull);
                RecordAssert.HeadersEqual(Headers(i), record);
                i++;
            }
            Assert.Equal(RecordCount, i);
        }
        finally
        {
            payload.Dispose();
        }
    }
}

internal static class RecordAssert
{
    public static void BytesEqual(byte[]? expected, ReadOnlySpan<byte> actual, bool actualIsNull)
    {
        Assert.Equal(expected is null, actualIsNull);
        Assert.Equal(expected ?? [], actual.ToArray());
    }

    public static void HeadersEqual(KeyValuePair<string, byte[]?>[] expected, Record record)
    {
        Assert.Equal(expected.Length, record.HeaderCount);
        int i = 0;
        foreach (RecordHeader header in record.Headers)
        {
            Assert.Equal(expected[i].Key, Encoding.UTF8.GetString(header.Key));
            BytesEqual(expected[i].Value, header.Value, header.IsValueNull);
            i++;
        }
        Assert.Equal(expected.Length, i);
    }
}
