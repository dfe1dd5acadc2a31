using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>
/// kcat's balanced consumer (`-G`; Debian's kcat 1.7.1 on librdkafka 2.0.2) as a KafkaSharp group member:
/// it reads every record Confluent.Kafka produced, commits automatically when it leaves, and the next run
/// of the same group reads only what was produced since.
/// </summary>
[Collection(GroupBrokerCollection.Name)]
public sealed class KcatGroupTests(GroupBrokerFixture broker)
{
    private const string Kcat = "kcat";
    private const int Partitions = 3;
    private const long BaseTimestampMs = 1_700_000_000_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task BalancedConsumerReadsEveryRecordCommitsAndTheNextRunResumes()
    {
        var topic = $"kcat-group-{Guid.NewGuid():N}";
        var groupId = $"kcat-group-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        const int firstCount = 600;
        var first = TestRecord.CreateBatch(firstCount, Partitions, "kcat-group", BaseTimestampMs);
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, first);

        var read = await ConsumeToEndAsync(groupId, topic);
        AssertRecords(first, read, firstOffset: 0);
        await AssertCommittedAsync(groupId, topic, firstCount / Partitions);

        // The commits hold: a run with nothing new produced reads nothing.
        var nothing = await ConsumeToEndAsync(groupId, topic);
        Assert.True(nothing.Count == 0, $"second run re-read {nothing.Count} records, first at partition {nothing.FirstOrDefault()?.Partition} offset {nothing.FirstOrDefault()?.Offset}");
        await AssertCommittedAsync(groupId, topic, firstCount / Partitions);

        // The same sequence continued: each partition gets 30 records from offset 200 on.
        var second = TestRecord.CreateBatch(firstCount + 90, Partitions, "kcat-group", BaseTimestampMs).Skip(firstCount).ToList();
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, second);
        read = await ConsumeToEndAsync(groupId, topic);
        AssertRecords(second, read, firstOffset: firstCount / Partitions);
        await AssertCommittedAsync(groupId, topic, (firstCount + 90) / Partitions);
    }

    /// <summary>
    /// One kcat group member that reads until every assigned partition reports its end (kcat 1.7.1 supports
    /// `-e` in `-G` mode), printing each record as JSON; kcat commits its positions when it closes.
    /// </summary>
    private async Task<List<KcatRecord>> ConsumeToEndAsync(string groupId, string topic)
    {
        var result = await ExternalProcess.RunAsync(
            Kcat,
            ["-b", broker.BootstrapServers, "-G", groupId, "-X", "auto.offset.reset=earliest", "-e", "-J", topic],
            Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Group {groupId} rebalanced", result.StandardError);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => KcatRecord.Parse(line, topic)).ToList();
    }

    /// <summary>Each partition's records arrive in order from <paramref name="firstOffset"/>, byte for byte as produced.</summary>
    private static void AssertRecords(IReadOnlyList<TestRecord> produced, List<KcatRecord> read, long firstOffset)
    {
        for (var partition = 0; partition < Partitions; partition++)
        {
            var expected = produced.Where(r => r.Partition == partition).ToList();
            var actual = read.Where(r => r.Partition == partition).ToList();
            Assert.True(expected.Count == actual.Count, $"partition {partition}: kcat read {actual.Count} records, {expected.Count} were produced");
            for (var position = 0; position < expected.Count; position++)
            {
                var want = expected[position];
                var got = actual[position];
                var offset = firstOffset + position;
                var where = $"partition {partition} offset {offset}";
                Assert.True(got.Offset == offset, $"{where}: record came at offset {got.Offset}");
                Assert.True(got.Key == Text(want.Key), $"{where}: key {got.Key ?? "null"}, expected {Text(want.Key) ?? "null"}");
                Assert.True(got.Value == Text(want.Value), $"{where}: value {got.Value ?? "null"}, expected {Text(want.Value) ?? "null"}");
                Assert.True(got.TimestampType == "create" && got.TimestampMs == want.TimestampMs,
                    $"{where}: timestamp {got.TimestampType} {got.TimestampMs}, expected create {want.TimestampMs}");
                Assert.Equal(want.Headers.Select(h => (h.Key, Text(h.Value))), got.Headers);
            }
        }
    }

    /// <summary>Every partition's committed offset is its end offset, as produced and as ListOffsets reports it.</summary>
    private async Task AssertCommittedAsync(string groupId, string topic, long endOffset)
    {
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        var latest = await admin.ListOffsetsAsync(partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }));
        Assert.All(latest.ResultInfos, info => Assert.True(
            info.TopicPartitionOffsetError.Offset.Value == endOffset,
            $"partition {info.TopicPartitionOffsetError.Partition.Value}: ListOffsets latest {info.TopicPartitionOffsetError.Offset}, produced up to {endOffset}"));

        var groups = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, partitions)]);
        var group = Assert.Single(groups);
        Assert.Equal(groupId, group.Group);
        Assert.Equal(Partitions, group.Partitions.Count);
        foreach (var committed in group.Partitions)
        {
            Assert.True(committed.Error.Code == ErrorCode.NoError, $"partition {committed.Partition.Value}: {committed.Error}");
            Assert.True(committed.Offset.Value == endOffset, $"partition {committed.Partition.Value}: committed {committed.Offset}, end offset {endOffset}");
        }
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    /// <summary>A record as `kcat -J` prints it: key, payload and header values are text or null.</summary>
    private sealed record KcatRecord(int Partition, long Offset, string? Key, string? Value, string TimestampType, long TimestampMs, List<(string, string?)> Headers)
    {
        public static KcatRecord Parse(string line, string topic)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Equal(topic, root.GetProperty("topic").GetString());
            var headers = new List<(string, string?)>();
            if (root.TryGetProperty("headers", out var flat))
            {
                // kcat prints headers as one flat array: name, value, name, value, ...
                var items = flat.EnumerateArray().ToList();
                for (var i = 0; i + 1 < items.Count; i += 2)
                {
                    headers.Add((items[i].GetString()!, items[i + 1].GetString()));
                }
            }

            return new KcatRecord(
                root.GetProperty("partition").GetInt32(),
                root.GetProperty("offset").GetInt64(),
                root.GetProperty("key").GetString(),
                root.GetProperty("payload").GetString(),
                root.GetProperty("tstype").GetString()!,
                root.GetProperty("ts").GetInt64(),
                headers);
        }
    }
}
