using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>The test client itself works here: Confluent.Kafka loads the stand-in package's librdkafka, with every codec.</summary>
public sealed class LibrdkafkaTests
{
    [Fact]
    public void ConfluentKafkaLoadsALibrdkafkaItCanConsumeWith()
    {
        // Confluent.Kafka's Consume calls rd_kafka_message_leader_epoch, new in librdkafka 2.1.0 (0xMMmmrrxx);
        // the stand-in ships 2.12.0, Debian's system library is 2.0.2.
        Assert.True(Library.Version >= 0x020100ff, $"librdkafka {Library.VersionString} (0x{Library.Version:X8}) is older than 2.1.0");
        Assert.Equal("2.12.0", Library.VersionString);
    }

    [Fact]
    public void LibrdkafkaHasEveryCompressionCodec()
    {
        // Setting builtin.features makes client creation fail unless the library has all of them.
        var config = new ProducerConfig { BootstrapServers = "127.0.0.1:1" };
        config.Set("builtin.features", "gzip,snappy,lz4,zstd,ssl");
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        Assert.NotEmpty(producer.Name);
    }
}
