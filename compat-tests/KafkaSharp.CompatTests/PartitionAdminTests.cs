using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>
/// Partition-level APIs through Confluent.Kafka: DeleteRecords (AdminClient.DeleteRecordsAsync), and
/// OffsetForLeaderEpoch, which librdkafka sends on its own to validate a committed position that carries a
/// leader epoch (KIP-320). DescribeProducers has no Confluent.Kafka call; its tests are unit tests only.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PartitionAdminTests(BrokerFixture broker)
{
    private const int RecordCount = 100;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DeleteRecordsMovesTheLowWatermarkAndItSurvivesARestart()
    {
        var topic = await TopicWithRecordsAsync("delete-records");
        var partition = new TopicPartition(topic, 0);
        using (var admin = KafkaClients.Admin(broker.BootstrapServers))
        {
            var deleted = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, new Offset(40))]));
            Assert.Equal(topic, deleted.Topic);
            Assert.Equal(0, deleted.Partition.Value);
            Assert.Equal(40, deleted.Offset.Value);

            // Below the low watermark changes nothing; beyond the high watermark is refused per partition.
            var again = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, new Offset(10))]));
            Assert.Equal(40, again.Offset.Value);
            var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() =>
                admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, new Offset(RecordCount + 1))]));
            Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Single(refused.Results).Error.Code);
        }

        AssertLogStartsAt(topic, 40);

        broker.Restart();

        AssertLogStartsAt(topic, 40);
        using (var admin = KafkaClients.Admin(broker.BootstrapServers))
        {
            // Offset.End (-1) means the high watermark.
            var all = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, Offset.End)]));
            Assert.Equal(RecordCount, all.Offset.Value);
        }

        using var consumer = Consumer("watermarks");
        var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
        Assert.Equal(RecordCount, watermarks.Low.Value);
        Assert.Equal(RecordCount, watermarks.High.Value);
    }

    [Fact]
    public async Task ConsumerResumesAtItsCommittedOffsetAfterValidatingItsPosition()
    {
        var topic = await TopicWithRecordsAsync("leader-epoch");
        var partition = new TopicPartition(topic, 0);
        var groupId = $"leader-epoch-{Guid.NewGuid():N}";
        using (var first = Consumer(groupId))
        {
            first.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            ConsumeResult<byte[]?, byte[]?>? last = null;
            for (var i = 0; i < 40; i++)
            {
                last = first.Consume(Timeout);
                Assert.NotNull(last);
                Assert.Equal(i, last.Offset.Value);
                Assert.Equal(0, last.LeaderEpoch);
            }

            var committed = Assert.Single(first.Commit());
            Assert.Equal(40, committed.Offset.Value);
            Assert.Equal(0, committed.LeaderEpoch);
            first.Close();
        }

        var debugLog = new ConcurrentQueue<string>();
        using var resumed = Consumer(groupId, debug: "protocol,fetch", log: debugLog);
        var stored = Assert.Single(resumed.Committed([partition], Timeout));
        Assert.Equal(40, stored.Offset.Value);
        Assert.Equal(0, stored.LeaderEpoch);

        resumed.Assign(partition); // from the committed offset
        var next = resumed.Consume(Timeout);

        Assert.NotNull(next);
        Assert.Equal(40, next.Offset.Value);
        Assert.Contains(debugLog, line => line.Contains("Received OffsetForLeaderEpochResponse", StringComparison.Ordinal));
        Assert.Contains(debugLog, line => line.Contains("validation succeeded: broker end offset 100", StringComparison.Ordinal));
    }

    private void AssertLogStartsAt(string topic, long logStartOffset)
    {
        var partition = new TopicPartition(topic, 0);
        using var consumer = Consumer("from-beginning");
        var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
        Assert.Equal(logStartOffset, watermarks.Low.Value);
        Assert.Equal(RecordCount, watermarks.High.Value);

        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var first = consumer.Consume(Timeout);
        Assert.NotNull(first);
        Assert.Equal(logStartOffset, first.Offset.Value);
    }

    private IConsumer<byte[]?, byte[]?> Consumer(string groupId, string? debug = null, ConcurrentQueue<string>? log = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Error,
            Debug = debug,
        };
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(config);
        if (log is not null)
        {
            builder.SetLogHandler((_, message) => log.Enqueue(message.Message));
        }

        return builder.Build();
    }

    private async Task<string> TopicWithRecordsAsync(string label)
    {
        var topic = $"{label}-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        var offsets = KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic,
            TestRecord.CreateBatch(RecordCount, 1, label, 1_700_000_000_000));
        Assert.Equal(RecordCount - 1, offsets.Max());
        return topic;
    }
}
