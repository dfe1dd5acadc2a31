using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>AdminClient topic creation, metadata, configs and broker-side auto-creation, as Kafka answers them.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TopicAdminTests(BrokerFixture broker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CreatedTopicAppearsInMetadataWithThreePartitionsLedByTheBroker()
    {
        var topic = $"admin-create-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 3);

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        var metadata = admin.GetMetadata(topic, Timeout);
        var brokerMetadata = Assert.Single(metadata.Brokers);
        Assert.Equal("127.0.0.1", brokerMetadata.Host);
        Assert.Equal(broker.Port, brokerMetadata.Port);

        var topicMetadata = Assert.Single(metadata.Topics);
        Assert.Equal(topic, topicMetadata.Topic);
        Assert.Equal(ErrorCode.NoError, topicMetadata.Error.Code);
        Assert.Equal([0, 1, 2], topicMetadata.Partitions.Select(p => p.PartitionId).Order());
        foreach (var partition in topicMetadata.Partitions)
        {
            Assert.Equal(ErrorCode.NoError, partition.Error.Code);
            Assert.Equal(brokerMetadata.BrokerId, partition.Leader);
            Assert.Equal([brokerMetadata.BrokerId], partition.Replicas);
            Assert.Equal([brokerMetadata.BrokerId], partition.InSyncReplicas);
        }
    }

    [Fact]
    public async Task CreatingAnExistingTopicFailsWithTopicAlreadyExists()
    {
        var topic = $"admin-duplicate-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 1);

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        var failure = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]));
        var result = Assert.Single(failure.Results);
        Assert.Equal(ErrorCode.TopicAlreadyExists, result.Error.Code);
        Assert.Single(KafkaClients.WaitForTopic(admin, topic).Partitions);
    }

    [Fact]
    public async Task DescribeConfigsReportsKafkaDefaultsAndTheValueSetAtCreation()
    {
        var topic = $"admin-configs-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 1, new Dictionary<string, string>
        {
            ["retention.ms"] = "123456789",
        });

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]);
        var entries = Assert.Single(described).Entries;

        var retention = entries["retention.ms"];
        Assert.Equal("123456789", retention.Value);
        Assert.False(retention.IsDefault);
        Assert.Equal(ConfigSource.DynamicTopicConfig, retention.Source);

        AssertKafkaDefault(entries, "cleanup.policy", "delete");
        AssertKafkaDefault(entries, "compression.type", "producer");
        AssertKafkaDefault(entries, "max.message.bytes", "1048588");
        AssertKafkaDefault(entries, "segment.bytes", "1073741824");
        AssertKafkaDefault(entries, "message.timestamp.type", "CreateTime");
    }

    [Fact]
    public void ProducingToAnUnknownTopicCreatesItWithTheDefaultPartitionCount()
    {
        var topic = $"auto-created-{Guid.NewGuid():N}";
        var records = TestRecord.CreateBatch(5, partitions: 1, "auto", baseTimestampMs: 1_700_000_000_000);

        var offsets = KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, records);

        Assert.Equal([0L, 1, 2, 3, 4], offsets);
        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        Assert.Single(KafkaClients.WaitForTopic(admin, topic).Partitions);
        RecordAssert.PartitionsEqual(records, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30)));
    }

    private static void AssertKafkaDefault(Dictionary<string, ConfigEntryResult> entries, string name, string value)
    {
        Assert.True(entries.TryGetValue(name, out var entry), $"{name} missing from DescribeConfigs");
        Assert.Equal(value, entry.Value);
        Assert.True(entry.IsDefault, $"{name} should be a default");
        Assert.Equal(ConfigSource.DefaultConfig, entry.Source);
    }
}
