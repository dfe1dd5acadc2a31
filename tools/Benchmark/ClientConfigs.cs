using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>librdkafka settings tuned for throughput, and a printer so every run states what it used.</summary>
internal static class ClientConfigs
{
    /// <summary>
    /// Records the producer may hold unacknowledged. The tool keeps its own window at this size
    /// (see <see cref="DeliveryTracker"/>), and librdkafka's queue is twice as large so that it never
    /// reports a full queue while delivery reports are still being handed over.
    /// </summary>
    public const int ProducerWindowRecords = 1 << 19;

    public static AdminClientConfig Admin(BenchmarkOptions options) => new()
    {
        BootstrapServers = options.BootstrapServers,
    };

    public static ProducerConfig Producer(BenchmarkOptions options) => new()
    {
        BootstrapServers = options.BootstrapServers,
        ClientId = "kafkasharp-bench-producer",
        Acks = options.Acks,
        LingerMs = options.LingerMs,
        BatchSize = options.BatchSize,
        // librdkafka's maximum: batch.size (bytes) is the limit that decides.
        BatchNumMessages = 1_000_000,
        CompressionType = options.Compression,
        QueueBufferingMaxMessages = 2 * ProducerWindowRecords,
        QueueBufferingMaxKbytes = 1 << 20,
        EnableIdempotence = false,
        MessageTimeoutMs = 120_000,
        SocketSendBufferBytes = options.SocketBufferBytes,
        SocketReceiveBufferBytes = options.SocketBufferBytes,
        // Delivery reports carry partition, offset and error regardless; skip marshalling the rest.
        DeliveryReportFields = "none",
    };

    public static ConsumerConfig Consumer(BenchmarkOptions options) => new()
    {
        BootstrapServers = options.BootstrapServers,
        ClientId = "kafkasharp-bench-consumer",
        // Confluent.Kafka requires a group id even for Assign(); nothing joins the group or commits.
        GroupId = "kafkasharp-bench-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxBytes = 64 << 20,
        MaxPartitionFetchBytes = 16 << 20,
        FetchWaitMaxMs = 100,
        FetchMinBytes = 1,
        QueuedMinMessages = 1_000_000,
        QueuedMaxMessagesKbytes = 1 << 20,
        CheckCrcs = false,
        SocketSendBufferBytes = options.SocketBufferBytes,
        SocketReceiveBufferBytes = options.SocketBufferBytes,
        ConsumeResultFields = "none",
    };

    public static void Print(string title, IEnumerable<KeyValuePair<string, string>> config)
    {
        Console.WriteLine($"{title}:");
        foreach (var (name, value) in config.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {name}={value}");
        }
    }
}
