using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>Reads whole partitions with an assign-only consumer (no group membership needed).</summary>
public static class PartitionReader
{
    /// <summary>Reads every partition from its beginning until the consumer reports the partition's end.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>>[] ReadToEnd(string bootstrapServers, string topic, int partitions, TimeSpan timeout) =>
        ReadToEnd(bootstrapServers, topic, partitions, Offset.Beginning, timeout);

    /// <summary>Reads every partition from <paramref name="start"/> until the consumer reports the partition's end.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>>[] ReadToEnd(string bootstrapServers, string topic, int partitions, Offset start, TimeSpan timeout)
    {
        var clientErrors = new ConcurrentQueue<string>();
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            // Confluent.Kafka requires a group id even for assign(); offsets are never committed.
            GroupId = "compat-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => clientErrors.Enqueue($"{error.Code}: {error.Reason}"))
            .SetLogHandler((_, log) => clientErrors.Enqueue($"log {log.Level} {log.Facility}: {log.Message}"))
            .Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, start)));

        var results = new List<ConsumeResult<byte[]?, byte[]?>>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            results[p] = [];
        }

        var reachedEnd = new bool[partitions];
        var elapsed = Stopwatch.StartNew();
        while (reachedEnd.Contains(false))
        {
            if (elapsed.Elapsed > timeout)
            {
                var counts = string.Join(", ", results.Select((r, p) => $"partition {p}: {r.Count} records, end {(reachedEnd[p] ? "reached" : "not reached")}"));
                Assert.Fail($"Reading {topic} timed out after {timeout.TotalSeconds} s ({counts}). Client errors: {string.Join(" | ", clientErrors.Take(20))}");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (result.IsPartitionEOF)
            {
                reachedEnd[partition] = true;
                continue;
            }

            // A record after the end was reported means the end offset moved: keep reading to the new end.
            reachedEnd[partition] = false;
            results[partition].Add(result);
        }

        consumer.Close();
        return results;
    }
}
