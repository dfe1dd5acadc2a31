using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>
/// Offsets as clients use them: watermarks, the first offset at or after a timestamp (ListOffsets), and
/// fetches that start inside a record batch or outside the log.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class OffsetLookupTests(BrokerFixture broker)
{
    private const int RecordsPerPartition = 100;
    private const long Partition0BaseTimestampMs = 1_700_000_000_000;
    private const long Partition1BaseTimestampMs = 1_700_000_100_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WatermarksAndOffsetsForTimesAreExact()
    {
        var (topic, _) = await CreateTopicWithTimestampedRecordsAsync();

        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "offsets-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();

        for (var partition = 0; partition < 2; partition++)
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), Timeout);
            Assert.Equal(0, watermarks.Low.Value);
            Assert.Equal(RecordsPerPartition, watermarks.High.Value);
        }

        var queries = new (int Partition, long TimestampMs, long ExpectedOffset)[]
        {
            (0, Partition0BaseTimestampMs - 1_000, 0),
            (0, Partition0BaseTimestampMs, 0),
            (0, Partition0BaseTimestampMs + 370, 37),
            (0, Partition0BaseTimestampMs + 365, 37),
            (0, Partition0BaseTimestampMs + 990, 99),
            (0, Partition0BaseTimestampMs + 991, Offset.End.Value),
            (1, Partition0BaseTimestampMs + 370, 0),
            (1, Partition1BaseTimestampMs + 501, 51),
            (1, Partition1BaseTimestampMs + 10_000, Offset.End.Value),
        };
        foreach (var (partition, timestampMs, expectedOffset) in queries)
        {
            var result = Assert.Single(consumer.OffsetsForTimes(
                [new TopicPartitionTimestamp(topic, partition, new Timestamp(timestampMs, TimestampType.CreateTime))], Timeout));
            Assert.True(
                result.Offset.Value == expectedOffset,
                $"OffsetsForTimes(partition {partition}, {timestampMs}) = {result.Offset.Value}, expected {expectedOffset}");
        }
    }

    [Fact]
    public async Task FetchFromAnOffsetInsideABatchReturnsRecordsFromThatOffset()
    {
        // Batches hold at most 16 records, so offset 37 lies inside one; the broker serves it from its start.
        var (topic, records) = await CreateTopicWithTimestampedRecordsAsync();

        var read = PartitionReader.ReadToEnd(broker.BootstrapServers, topic, 2, new Offset(37), Timeout);

        for (var partition = 0; partition < 2; partition++)
        {
            var expected = records.Where(r => r.Partition == partition).Skip(37).ToList();
            Assert.Equal(expected.Count, read[partition].Count);
            for (var position = 0; position < expected.Count; position++)
            {
                RecordAssert.RecordEqual(expected[position], read[partition][position], 37 + position);
            }
        }
    }

    [Fact]
    public async Task FetchBeyondTheLogEndIsOutOfRange()
    {
        var (topic, _) = await CreateTopicWithTimestampedRecordsAsync();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "offsets-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Error,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, RecordsPerPartition + 50));

        // The broker answers OFFSET_OUT_OF_RANGE; with auto.offset.reset=error librdkafka reports that instead of resetting.
        var failure = Assert.Throws<ConsumeException>(() => consumer.Consume(Timeout));
        Assert.Equal(ErrorCode.Local_AutoOffsetReset, failure.Error.Code);
        consumer.Close();
    }

    /// <summary>
    /// A 2-partition topic whose partition p holds 100 records, the one at offset k with timestamp
    /// base(p) + 10 * k, produced in batches of 16.
    /// </summary>
    private async Task<(string Topic, List<TestRecord> Records)> CreateTopicWithTimestampedRecordsAsync()
    {
        var topic = $"offsets-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 2);
        var records = new List<TestRecord>();
        for (var k = 0; k < RecordsPerPartition; k++)
        {
            records.Add(Record(0, Partition0BaseTimestampMs + 10 * k, k));
            records.Add(Record(1, Partition1BaseTimestampMs + 10 * k, k));
        }

        var config = KafkaClients.ProducerConfig(broker.BootstrapServers);
        config.BatchNumMessages = 16;
        KafkaClients.ProduceAll(config, topic, records);
        return (topic, records);
    }

    private static TestRecord Record(int partition, long timestampMs, int offset) => new()
    {
        Partition = partition,
        Key = TestRecord.Utf8($"p{partition}-{offset}"),
        Value = TestRecord.Utf8($"at {timestampMs}"),
        Headers = [],
        TimestampMs = timestampMs,
    };
}
