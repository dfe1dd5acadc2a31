using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>Confluent.Kafka produces batches and reads every partition back exactly, before and after a broker restart.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ProduceConsumeRoundTripTests(BrokerFixture broker)
{
    private const int Partitions = 3;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(CompressionType.None, 100_000, false)]
    [InlineData(CompressionType.Gzip, 20_000, false)]
    [InlineData(CompressionType.Snappy, 20_000, false)]
    [InlineData(CompressionType.Lz4, 20_000, false)]
    [InlineData(CompressionType.Zstd, 20_000, false)]
    [InlineData(CompressionType.Zstd, 20_000, true)]
    public async Task RecordsReadBackExactlyBeforeAndAfterRestart(CompressionType compression, int count, bool idempotent)
    {
        var codec = compression.ToString().ToLowerInvariant();
        var topic = $"round-trip-{codec}-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        var records = TestRecord.CreateBatch(count, Partitions, codec, baseTimestampMs: 1_700_000_000_000);

        var config = KafkaClients.ProducerConfig(broker.BootstrapServers, compression);
        config.EnableIdempotence = idempotent;
        var offsets = KafkaClients.ProduceAll(config, topic, records);
        RecordAssert.DeliveryOffsetsContiguous(records, offsets, Partitions);

        RecordAssert.PartitionsEqual(records, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, Partitions, ReadTimeout));

        broker.Restart();
        RecordAssert.PartitionsEqual(records, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, Partitions, ReadTimeout));
    }

    [Fact]
    public async Task AcknowledgedRecordsSurviveABrokerCrash()
    {
        // Kafka acknowledges once records are in the OS page cache, so a killed process loses none of them.
        var topic = $"crash-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        var records = TestRecord.CreateBatch(5_000, Partitions, "crash", baseTimestampMs: 1_700_000_000_000);
        var offsets = KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers, CompressionType.Lz4), topic, records);

        broker.KillAndRestart();

        RecordAssert.PartitionsEqual(records, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, Partitions, ReadTimeout));
        var more = TestRecord.CreateBatch(5_300, Partitions, "crash", 1_700_000_000_000);
        var moreOffsets = KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, more.Skip(records.Count).ToList());
        RecordAssert.DeliveryOffsetsContiguous(more, [.. offsets, .. moreOffsets], Partitions);
        RecordAssert.PartitionsEqual(more, PartitionReader.ReadToEnd(broker.BootstrapServers, topic, Partitions, ReadTimeout));
    }
}
