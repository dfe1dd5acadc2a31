using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>Confluent.Kafka consumer groups: subscribe, read everything, commit, and a later member resumes from the commits.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ConsumerGroupTests(BrokerFixture broker)
{
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NextMemberResumesFromCommittedOffsets()
    {
        var topic = $"group-{Guid.NewGuid():N}";
        var groupId = $"group-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        var first = TestRecord.CreateBatch(300, Partitions, "first", 1_700_000_000_000);
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, first);

        using (var consumer = Subscribe(groupId, topic))
        {
            var read = ReadExactly(consumer, first.Count);
            RecordAssert.PartitionsEqual(first, read);
            consumer.Commit();
            var committed = consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), Timeout);
            Assert.All(committed, c => Assert.Equal(first.Count / Partitions, c.Offset.Value));
            consumer.Close();
        }

        // Same content generator, later indexes: partition p gets records at offsets 100.. in order.
        var second = TestRecord.CreateBatch(first.Count + 30, Partitions, "first", 1_700_000_000_000).Skip(first.Count).ToList();
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, second);

        using (var consumer = Subscribe(groupId, topic))
        {
            var read = ReadExactly(consumer, second.Count);
            for (var partition = 0; partition < Partitions; partition++)
            {
                var expected = second.Where(r => r.Partition == partition).ToList();
                Assert.Equal(expected.Count, read[partition].Count);
                for (var position = 0; position < expected.Count; position++)
                {
                    RecordAssert.RecordEqual(expected[position], read[partition][position], first.Count / Partitions + position);
                }
            }

            consumer.Close();
        }
    }

    private IConsumer<byte[]?, byte[]?> Subscribe(string groupId, string topic)
    {
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }

    /// <summary>Reads exactly <paramref name="count"/> records, then makes sure no further record arrives.</summary>
    private static List<ConsumeResult<byte[]?, byte[]?>>[] ReadExactly(IConsumer<byte[]?, byte[]?> consumer, int count)
    {
        var read = Enumerable.Range(0, Partitions).Select(_ => new List<ConsumeResult<byte[]?, byte[]?>>()).ToArray();
        var total = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (total < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"group member read {total} of {count} records within {Timeout.TotalSeconds} s");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null)
            {
                read[result.Partition.Value].Add(result);
                total++;
            }
        }

        var extra = consumer.Consume(TimeSpan.FromSeconds(1));
        Assert.True(extra is null, $"unexpected record at partition {extra?.Partition.Value} offset {extra?.Offset.Value}");
        return read;
    }
}
