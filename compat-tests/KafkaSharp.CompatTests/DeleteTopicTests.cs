using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>Topic deletion on a broker with auto.create.topics.enable=false: the topic is gone and stays gone.</summary>
[Collection(NoAutoCreateBrokerCollection.Name)]
public sealed class DeleteTopicTests(NoAutoCreateBrokerFixture broker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DeletedTopicLeavesMetadataAndProducingToItFails()
    {
        var topic = $"doomed-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 2);
        var records = TestRecord.CreateBatch(10, partitions: 2, "doomed", baseTimestampMs: 1_700_000_000_000);
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, records);

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        await admin.DeleteTopicsAsync([topic]);

        Assert.Equal(ErrorCode.UnknownTopicOrPart, WaitUntilUnknown(admin, topic));
        await AssertProduceFailsWithUnknownTopic(topic);
        Assert.Equal(ErrorCode.UnknownTopicOrPart, admin.GetMetadata(topic, Timeout).Topics.Single().Error.Code);
    }

    [Fact]
    public async Task RecreatedTopicStartsEmpty()
    {
        var topic = $"reborn-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 1);
        KafkaClients.ProduceAll(
            KafkaClients.ProducerConfig(broker.BootstrapServers), topic, TestRecord.CreateBatch(25, 1, "first life", 1_700_000_000_000));

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        await admin.DeleteTopicsAsync([topic]);
        WaitUntilUnknown(admin, topic);
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 1);

        // Other records than the first life's, still with past timestamps: Kafka 4 rejects CreateTime more than
        // message.timestamp.after.max.ms (1 hour) ahead.
        var secondLife = TestRecord.CreateBatch(3, 1, "second life", 1_700_000_100_000);
        var offsets = KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, secondLife);
        Assert.Equal([0L, 1, 2], offsets);
        RecordAssert.PartitionsEqual(secondLife, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, 1, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ProducingToANeverCreatedTopicFailsAndDoesNotCreateIt()
    {
        var topic = $"never-created-{Guid.NewGuid():N}";

        await AssertProduceFailsWithUnknownTopic(topic);

        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        Assert.Equal(ErrorCode.UnknownTopicOrPart, admin.GetMetadata(topic, Timeout).Topics.Single().Error.Code);
    }

    private async Task AssertProduceFailsWithUnknownTopic(string topic)
    {
        var config = KafkaClients.ProducerConfig(broker.BootstrapServers);
        config.MessageTimeoutMs = 10_000;
        config.TopicMetadataPropagationMaxMs = 1_000;
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var failure = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() =>
            producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = TestRecord.Utf8("k"), Value = TestRecord.Utf8("v") }));
        // librdkafka reports a topic the broker says does not exist as its local "unknown topic" error.
        Assert.True(
            failure.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic,
            $"produce to {topic} failed with {failure.Error.Code} ({failure.Error.Reason}), expected an unknown-topic error");
    }

    private static ErrorCode WaitUntilUnknown(IAdminClient admin, string topic)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var error = admin.GetMetadata(topic, Timeout).Topics.Single().Error.Code;
            if (error != ErrorCode.NoError || DateTime.UtcNow > deadline)
            {
                return error;
            }

            Thread.Sleep(100);
        }
    }
}
