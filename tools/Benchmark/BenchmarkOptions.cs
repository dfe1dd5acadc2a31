using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>One run's settings, as given on the command line.</summary>
internal sealed record BenchmarkOptions(
    string BootstrapServers,
    string Topic,
    long Records,
    int RecordSize,
    int Partitions,
    Acks Acks,
    double LingerMs,
    int BatchSize,
    CompressionType Compression,
    bool CreateTopic,
    int? BrokerPid,
    int SocketBufferBytes,
    int Producers,
    TimeSpan IdleTimeout,
    int InFlight,
    int PartitionMaxBytes)
{
    public long TotalBytes => Records * RecordSize;
}
