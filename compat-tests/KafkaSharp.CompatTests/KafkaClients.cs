using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>Confluent.Kafka clients configured the way the compat tests use them.</summary>
public static class KafkaClients
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    // Admin requests time out after socket.timeout.ms; 15 s (not 60) keeps a broker that never answers from
    // stretching a test run by minutes.
    public static IAdminClient Admin(string bootstrapServers) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, SocketTimeoutMs = 15_000 }).Build();

    public static ProducerConfig ProducerConfig(string bootstrapServers, CompressionType compression = CompressionType.None) => new()
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        LingerMs = 5,
        BatchNumMessages = 10_000,
        BatchSize = 1_000_000,
        CompressionType = compression,
        QueueBufferingMaxMessages = 200_000,
        MessageTimeoutMs = 60_000,
    };

    /// <summary>Creates a topic and waits until metadata lists it with every partition, asserting the layout.</summary>
    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using var admin = Admin(bootstrapServers);
        await admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs },
        ]);
        var metadata = WaitForTopic(admin, topic);
        Assert.Equal(partitions, metadata.Partitions.Count);
    }

    /// <summary>Polls metadata until the topic is listed without error (topic creation is asynchronous in Kafka).</summary>
    public static TopicMetadata WaitForTopic(IAdminClient admin, string topic)
    {
        var deadline = DateTime.UtcNow + MetadataTimeout;
        while (true)
        {
            var topicMetadata = admin.GetMetadata(topic, MetadataTimeout).Topics.Single(t => t.Topic == topic);
            if (topicMetadata.Error.Code == ErrorCode.NoError && topicMetadata.Partitions.Count > 0)
            {
                return topicMetadata;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Topic {topic} not in metadata after {MetadataTimeout.TotalSeconds} s: {topicMetadata.Error}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Produces every record to its partition and returns the offset each delivery report gave, in record
    /// order; fails on any delivery error.
    /// </summary>
    public static long[] ProduceAll(ProducerConfig config, string topic, IReadOnlyList<TestRecord> records)
    {
        var offsets = new long[records.Count];
        var errors = new ConcurrentQueue<string>();
        var clientErrors = new ConcurrentQueue<string>();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => clientErrors.Enqueue($"{(error.IsFatal ? "fatal " : "")}{error.Code}: {error.Reason}"))
            .Build();
        for (var index = 0; index < records.Count; index++)
        {
            var record = records[index];
            var headers = new Headers();
            foreach (var header in record.Headers)
            {
                headers.Add(header.Key, header.Value);
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = record.Key,
                Value = record.Value,
                Headers = headers,
                Timestamp = new Timestamp(record.TimestampMs, TimestampType.CreateTime),
            };
            var recordIndex = index;
            void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
            {
                if (report.Error.IsError)
                {
                    errors.Enqueue($"record {recordIndex}: {report.Error.Code} {report.Error.Reason}");
                }

                offsets[recordIndex] = report.Offset.Value;
            }

            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, new Partition(record.Partition)), message, OnDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        var undelivered = producer.Flush(TimeSpan.FromSeconds(90));
        var clientErrorText = clientErrors.IsEmpty ? "" : $". Client errors: {string.Join("; ", clientErrors.Take(5))}";
        Assert.True(undelivered == 0, $"{undelivered} records still undelivered after 90 s{clientErrorText}");
        Assert.True(errors.IsEmpty, $"{errors.Count} delivery errors, first: {string.Join("; ", errors.Take(5))}{clientErrorText}");
        return offsets;
    }
}
