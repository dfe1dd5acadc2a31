using System.Text;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using Record = KafkaSharp.Protocol.Records.Record;

namespace KafkaSharp.Protocol.Tests.Records;

/// <summary>
/// The records that tools/fixtures/capture_librdkafka_batches.py has kcat (librdkafka 2.0.2) send
/// into Fixtures/librdkafka-&lt;codec&gt;.bin. Timestamps are the wall clock at capture time.
/// </summary>
internal static class LibrdkafkaFixture
{
    public const int RecordCount = 20;
    public const int NullValueRecord = 5;

    private static readonly string Filler = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", 20));

    public static byte[] Load(string codec) => File.ReadAllBytes(KafkaPythonFixture.FixturePath($"librdkafka-{codec}.bin"));

    public static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i}");

    public static byte[]? Value(int i) => i == NullValueRecord ? null : Encoding.UTF8.GetBytes($"value-{i}|{Filler}");

    public static KeyValuePair<string, byte[]?>[] Headers { get; } =
        [new("source", Encoding.UTF8.GetBytes("librdkafka")), new("empty", [])];

    public static void AssertRecords(ReadOnlySpan<byte> batch)
    {
        Assert.Equal(RecordCount, RecordBatchHeader.RecordCount(batch));
        Assert.Equal(DecompressionStatus.Done, RecordBatchPayload.Open(batch, 1 << 20, out RecordBatchPayload payload));
        try
        {
            int i = 0;
            foreach (Record record in payload)
            {
                Assert.Equal(i, record.OffsetDelta);
                RecordAssert.BytesEqual(Key(i), record.Key, record.IsKeyNull);
                RecordAssert.BytesEqual(Value(i), record.Value, record.IsValueNull);
                RecordAssert.HeadersEqual(Headers, record);
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
