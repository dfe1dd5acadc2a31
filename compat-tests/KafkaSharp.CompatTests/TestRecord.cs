using System.Text;

namespace KafkaSharp.CompatTests;

/// <summary>A record as a test produced it: what a consumer must read back byte for byte.</summary>
public sealed class TestRecord
{
    public required int Partition { get; init; }

    public required byte[]? Key { get; init; }

    public required byte[]? Value { get; init; }

    public required IReadOnlyList<KeyValuePair<string, byte[]?>> Headers { get; init; }

    public required long TimestampMs { get; init; }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Deterministic records spread round-robin over the partitions, with the edge cases a broker must keep
    /// exactly: null keys, null and empty values, no headers, null header values, compressible values of
    /// varying length, and explicit create-time timestamps.
    /// </summary>
    public static List<TestRecord> CreateBatch(int count, int partitions, string label, long baseTimestampMs)
    {
        var records = new List<TestRecord>(count);
        for (var index = 0; index < count; index++)
        {
            var headers = new List<KeyValuePair<string, byte[]?>>();
            if (index % 7 != 0)
            {
                headers.Add(new("index", Utf8(index.ToString())));
                headers.Add(new("label", Utf8(label)));
                if (index % 10 == 0)
                {
                    headers.Add(new("nullable", null));
                }
            }

            records.Add(new TestRecord
            {
                Partition = index % partitions,
                Key = index % 97 == 0 ? null : Utf8($"key-{index}"),
                Value = index % 101 == 0 ? null
                    : index % 103 == 0 ? []
                    : Utf8($"value-{index}-" + new string((char)('a' + index % 26), index % 300)),
                Headers = headers,
                TimestampMs = baseTimestampMs + index,
            });
        }

        return records;
    }
}
