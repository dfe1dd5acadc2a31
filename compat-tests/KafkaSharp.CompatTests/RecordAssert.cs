using System.Text;
using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>Exact comparisons of what was produced with what was delivered and read back.</summary>
public static class RecordAssert
{
    /// <summary>Delivery reports gave each partition contiguous offsets from 0 in production order.</summary>
    public static void DeliveryOffsetsContiguous(IReadOnlyList<TestRecord> records, long[] offsets, int partitions)
    {
        var next = new long[partitions];
        for (var index = 0; index < records.Count; index++)
        {
            var partition = records[index].Partition;
            if (offsets[index] != next[partition])
            {
                Assert.Fail($"Record {index} (partition {partition}) was delivered at offset {offsets[index]}, expected {next[partition]}");
            }

            next[partition]++;
        }
    }

    /// <summary>
    /// Each partition holds exactly the records produced to it, in production order, at offsets 0..n-1, with
    /// equal key, value, headers and create-time timestamp.
    /// </summary>
    public static void PartitionsEqual(IReadOnlyList<TestRecord> records, List<ConsumeResult<byte[]?, byte[]?>>[] partitions)
    {
        for (var partition = 0; partition < partitions.Length; partition++)
        {
            var expected = records.Where(r => r.Partition == partition).ToList();
            var actual = partitions[partition];
            Assert.True(expected.Count == actual.Count, $"Partition {partition}: read {actual.Count} records, produced {expected.Count}");
            for (var position = 0; position < expected.Count; position++)
            {
                RecordEqual(expected[position], actual[position], position);
            }
        }
    }

    public static void RecordEqual(TestRecord expected, ConsumeResult<byte[]?, byte[]?> actual, long expectedOffset)
    {
        var where = $"partition {expected.Partition} offset {expectedOffset}";
        Assert.True(actual.Offset.Value == expectedOffset, $"{where}: record came at offset {actual.Offset.Value}");
        Assert.True(BytesEqual(expected.Key, actual.Message.Key), $"{where}: key {Show(actual.Message.Key)}, expected {Show(expected.Key)}");
        Assert.True(BytesEqual(expected.Value, actual.Message.Value), $"{where}: value {Show(actual.Message.Value)}, expected {Show(expected.Value)}");
        Assert.True(
            actual.Message.Timestamp.Type == TimestampType.CreateTime && actual.Message.Timestamp.UnixTimestampMs == expected.TimestampMs,
            $"{where}: timestamp {actual.Message.Timestamp.Type} {actual.Message.Timestamp.UnixTimestampMs}, expected CreateTime {expected.TimestampMs}");

        var headers = actual.Message.Headers ?? [];
        Assert.True(headers.Count == expected.Headers.Count, $"{where}: {headers.Count} headers, expected {expected.Headers.Count}");
        for (var h = 0; h < headers.Count; h++)
        {
            var header = headers[h];
            Assert.True(
                header.Key == expected.Headers[h].Key && BytesEqual(expected.Headers[h].Value, header.GetValueBytes()),
                $"{where}: header {h} is {header.Key}={Show(header.GetValueBytes())}, expected {expected.Headers[h].Key}={Show(expected.Headers[h].Value)}");
        }
    }

    private static bool BytesEqual(byte[]? expected, byte[]? actual) =>
        expected is null ? actual is null : actual is not null && expected.AsSpan().SequenceEqual(actual);

    private static string Show(byte[]? bytes) => bytes is null ? "null" : $"\"{Encoding.UTF8.GetString(bytes)}\"";
}
