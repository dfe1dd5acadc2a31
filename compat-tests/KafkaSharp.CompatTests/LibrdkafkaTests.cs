using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>The test client itself works on this machine: Confluent.Kafka loads Debian's librdkafka with every codec.</summary>
public sealed class LibrdkafkaTests
{
    [Fact]
    public void ConfluentKafkaLoadsSystemLibrdkafka()
    {
        // librdkafka encodes its version as 0xMMmmrrxx; Debian's librdkafka-dev is 2.0.2.
        Assert.True(Library.Version >= 0x02000000, $"librdkafka version 0x{Library.Version:X8}");
        Assert.Matches(@"^\d+\.\d+\.\d+", Library.VersionString);
    }

    [Fact]
    public void LibrdkafkaHasEveryCompressionCodec()
    {
        // Setting builtin.features makes client creation fail unless the library has all of them.
        var config = new ProducerConfig { BootstrapServers = "127.0.0.1:1" };
        config.Set("builtin.features", "gzip,snappy,lz4,zstd");
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        Assert.NotEmpty(producer.Name);
    }
}
