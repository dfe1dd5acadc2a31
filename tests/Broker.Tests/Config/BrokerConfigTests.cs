using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Tests.Config;

public class BrokerConfigTests
{
    private static BrokerConfig Config(params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void DefaultsAreKafkasWithOurDataDirectoryAndNodeId()
    {
        var config = Config();

        Assert.Equal(1, config.NodeId);
        var listener = Assert.Single(config.Listeners);
        Assert.Equal(new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "", 9092), listener);
        Assert.Equal(new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "localhost", 9092), Assert.Single(config.AdvertisedListeners));
        Assert.Equal([Path.GetFullPath("./data")], config.LogDirs);
        Assert.Equal(1, config.NumPartitions);
        Assert.Equal(1, config.DefaultReplicationFactor);
        Assert.True(config.AutoCreateTopicsEnable);
        Assert.True(config.DeleteTopicEnable);
        Assert.Equal(104857600, config.SocketRequestMaxBytes);
        Assert.Equal(1048588, config.MessageMaxBytes);
        Assert.Equal(1073741824, config.LogSegmentBytes);
        Assert.Equal(168 * 3_600_000L, config.LogRollMs);
        Assert.Equal(168 * 3_600_000L, config.LogRetentionMs);
        Assert.Equal(-1, config.LogRetentionBytes);
        Assert.Equal(300000, config.LogRetentionCheckIntervalMs);
        Assert.Equal(4096, config.LogIndexIntervalBytes);
        Assert.Equal(10485760, config.LogIndexSizeMaxBytes);
        Assert.Equal(long.MaxValue, config.LogFlushIntervalMessages);
        Assert.Equal(long.MaxValue, config.LogFlushIntervalMs);
        Assert.Equal(50, config.OffsetsTopicNumPartitions);
        Assert.Equal(3000, config.GroupInitialRebalanceDelayMs);
        Assert.True(config.FetchZeroCopy);
        Assert.True(config.LogCleanerEnable);
        Assert.Equal(1, config.LogCleanerThreads);
        Assert.Equal(double.MaxValue, config.LogCleanerIoMaxBytesPerSecond);
        Assert.Equal(134217728L, config.LogCleanerDedupeBufferSize);
        Assert.Equal(524288, config.LogCleanerIoBufferSize);
        Assert.Equal(0.9, config.LogCleanerIoBufferLoadFactor);
        Assert.Equal(15000L, config.LogCleanerBackoffMs);
        Assert.Empty(config.UnknownNames);
    }

    [Fact]
    public void FileValuesThenOverridesInOrder()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                # Kafka-style server.properties
                ! another comment style
                node.id=3
                num.partitions = 4
                log.dirs=/tmp/a,/tmp/b
                listeners=PLAINTEXT://127.0.0.1:0
                """);
            var config = BrokerConfig.Load(file, [new("num.partitions", "6"), new("num.partitions", "8"), new("auto.create.topics.enable", "FALSE")]);

            Assert.Equal(3, config.NodeId);
            Assert.Equal(8, config.NumPartitions);
            Assert.False(config.AutoCreateTopicsEnable);
            Assert.Equal(["/tmp/a", "/tmp/b"], config.LogDirs);
            Assert.Equal(new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 0), Assert.Single(config.Listeners));
            Assert.Equal(new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 0), Assert.Single(config.AdvertisedListeners));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MissingFileIsAOneLineConfigError()
    {
        var error = Assert.Throws<ConfigException>(() => BrokerConfig.Load("/nonexistent/server.properties", []));
        Assert.StartsWith("Cannot read config file /nonexistent/server.properties", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("num.partitions", "abc", "Invalid value abc for configuration num.partitions: Not a number of type INT")]
    [InlineData("num.partitions", "0", "Invalid value 0 for configuration num.partitions: Value must be at least 1")]
    [InlineData("socket.request.max.bytes", "3000000000", "Invalid value 3000000000 for configuration socket.request.max.bytes: Not a number of type INT")]
    [InlineData("delete.topic.enable", "yes", "Invalid value yes for configuration delete.topic.enable: Expected value to be either true or false")]
    [InlineData("compression.type", "brotli", "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("listeners", "localhost:9092", "listeners: 'localhost:9092' is not of the form NAME://host:port")]
    [InlineData("listeners", "PLAINTEXT://:99999", "listeners: invalid port '99999' in PLAINTEXT://:99999")]
    [InlineData("listeners", "SSL://:9093", "listeners: SSL://:9093 uses security protocol SSL; KafkaSharp serves PLAINTEXT only")]
    [InlineData("listeners", "INTERNAL://:9093", "listeners: no security protocol for listener name INTERNAL; add it to listener.security.protocol.map")]
    [InlineData("listeners", "PLAINTEXT://:9092,PLAINTEXT://:9093", "listeners: listener name PLAINTEXT appears more than once")]
    [InlineData("advertised.listeners", "PLAINTEXT://0.0.0.0:9092", "advertised.listeners: PLAINTEXT://0.0.0.0:9092 does not name a host clients can connect to")]
    [InlineData("advertised.listeners", "OTHER://h:1", "listeners: no security protocol for listener name OTHER; add it to listener.security.protocol.map")]
    [InlineData("log.cleaner.min.cleanable.ratio", "1.5", "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1")]
    [InlineData("log.cleaner.min.cleanable.ratio", "-0.1", "Invalid value -0.1 for configuration log.cleaner.min.cleanable.ratio: Value must be at least 0")]
    [InlineData("log.cleaner.io.buffer.load.factor", "high", "Invalid value high for configuration log.cleaner.io.buffer.load.factor: Not a number of type DOUBLE")]
    [InlineData("log.cleaner.threads", "-1", "Invalid value -1 for configuration log.cleaner.threads: Value must be at least 0")]
    [InlineData("log.cleaner.threads", "0", "log.cleaner.threads must be at least 1: the dedupe buffer is divided among the cleaner threads")]
    [InlineData("log.cleaner.max.compaction.lag.ms", "0", "Invalid value 0 for configuration log.cleaner.max.compaction.lag.ms: Value must be at least 1")]
    [InlineData("log.cleaner.dedupe.buffer.size", "1048576", "log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.")]
    [InlineData("log.cleaner.io.buffer.load.factor", "0", "log.cleaner.io.buffer.load.factor: 0.0 leaves no room in the cleaner's offset map, so log cleaning would never make progress")]
    public void BadValuesAreOneLineErrors(string name, string value, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Config((name, value)));
        Assert.Equal(expected.Replace("listeners: no security protocol for listener name OTHER", "advertised.listeners: no security protocol for listener name OTHER"), error.Message);
    }

    [Fact]
    public void TheDedupeBufferMustGiveEachCleanerThreadMoreThanOneMebibyte()
    {
        Assert.Throws<ConfigException>(() => Config(("log.cleaner.threads", "4"), ("log.cleaner.dedupe.buffer.size", "4194304")));
        var config = Config(("log.cleaner.threads", "4"), ("log.cleaner.dedupe.buffer.size", "4194308"));

        Assert.Equal(4, config.LogCleanerThreads);
        Assert.Equal(4194308L, config.LogCleanerDedupeBufferSize);
    }

    [Fact]
    public void ALoadFactorWithoutRoomIsAcceptedWhenTheCleanerIsOff()
    {
        var config = Config(("log.cleaner.enable", "false"), ("log.cleaner.io.buffer.load.factor", "0"));

        Assert.False(config.LogCleanerEnable);
        Assert.Equal(0.0, config.LogCleanerIoBufferLoadFactor);
    }

    [Theory]
    [InlineData("log.cleaner.io.buffer.load.factor", "1", "1.0")]
    [InlineData("log.cleaner.io.buffer.load.factor", " 0.75 ", "0.75")]
    [InlineData("log.cleaner.io.max.bytes.per.second", "1e8", "1.0E8")]
    [InlineData("log.cleaner.io.max.bytes.per.second", "1048576", "1048576.0")]
    [InlineData("log.cleaner.io.max.bytes.per.second", "1.7976931348623157E308", "1.7976931348623157E308")]
    [InlineData("log.cleaner.io.max.bytes.per.second", "0.0001", "1.0E-4")]
    public void DoublesAreShownAsKafkaPrintsThem(string name, string raw, string shown)
    {
        var entry = Config((name, raw)).Entries.Single(e => e.Definition.Name == name);

        Assert.Equal(shown, entry.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, entry.Source);
    }

    [Fact]
    public void UnknownNamesAreCollectedNotRejected()
    {
        var config = Config(("zookeeper.connect", "localhost:2181"), ("kafkasharp.no.such.switch", "1"), ("num.partitions", "2"));

        Assert.Equal(["kafkasharp.no.such.switch", "zookeeper.connect"], config.UnknownNames);
        Assert.Equal(2, config.NumPartitions);
    }

    [Fact]
    public void BrokerIdIsAnAliasOfNodeId()
    {
        Assert.Equal(7, Config(("broker.id", "7")).NodeId);
        Assert.Equal(7, Config(("broker.id", "7"), ("node.id", "7")).NodeId);
        Assert.Equal(5, Config(("node.id", "5")).NodeId);
        Assert.Throws<ConfigException>(() => Config(("broker.id", "7"), ("node.id", "5")));
    }

    [Fact]
    public void LogDirIsUsedOnlyWithoutLogDirs()
    {
        Assert.Equal([Path.GetFullPath("/tmp/one")], Config(("log.dir", "/tmp/one")).LogDirs);
        Assert.Equal([Path.GetFullPath("/tmp/two")], Config(("log.dir", "/tmp/one"), ("log.dirs", "/tmp/two")).LogDirs);
    }

    [Fact]
    public void RetentionAndRollPrecedenceMsThenMinutesThenHours()
    {
        Assert.Equal(2 * 3_600_000L, Config(("log.retention.hours", "2")).LogRetentionMs);
        Assert.Equal(3 * 60_000L, Config(("log.retention.hours", "2"), ("log.retention.minutes", "3")).LogRetentionMs);
        Assert.Equal(4L, Config(("log.retention.hours", "2"), ("log.retention.minutes", "3"), ("log.retention.ms", "4")).LogRetentionMs);
        Assert.Equal(-1L, Config(("log.retention.ms", "-1")).LogRetentionMs);
        Assert.Equal(5 * 3_600_000L, Config(("log.roll.hours", "5")).LogRollMs);
        Assert.Equal(6L, Config(("log.roll.hours", "5"), ("log.roll.ms", "6")).LogRollMs);
    }

    [Fact]
    public void SeveralListenersWithAdvertisedOverridesPerName()
    {
        var config = Config(
            ("listeners", "PLAINTEXT://:9092, internal://[::1]:0"),
            ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT"),
            ("advertised.listeners", "INTERNAL://broker.example:19093"));

        Assert.Equal(
            [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "", 9092), new ListenerEndpoint("INTERNAL", "PLAINTEXT", "::1", 0)],
            config.Listeners);
        Assert.Equal(
            [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "localhost", 9092), new ListenerEndpoint("INTERNAL", "PLAINTEXT", "broker.example", 19093)],
            config.AdvertisedListeners);
        Assert.Equal("INTERNAL://[::1]:0", config.Listeners[1].ToString());
    }

    [Fact]
    public void EntriesListEveryKnownConfigWithItsSource()
    {
        var config = Config(("num.partitions", " 3 "));
        var entries = config.Entries.ToList();

        Assert.Equal(BrokerConfigs.All.Count, entries.Count);
        var numPartitions = entries.Single(e => e.Definition.Name == "num.partitions");
        Assert.Equal("3", numPartitions.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, numPartitions.Source);
        var segmentBytes = entries.Single(e => e.Definition.Name == "log.segment.bytes");
        Assert.Equal("1073741824", segmentBytes.Value);
        Assert.Equal(ConfigSource.DefaultConfig, segmentBytes.Source);
        Assert.Equal(ConfigType.Int, segmentBytes.Definition.Type);
        Assert.Null(entries.Single(e => e.Definition.Name == "log.retention.ms").Value);
        var throttle = entries.Single(e => e.Definition.Name == "log.cleaner.io.max.bytes.per.second");
        Assert.Equal("1.7976931348623157E308", throttle.Value);
        Assert.Equal(ConfigType.Double, throttle.Definition.Type);
        Assert.Equal(ConfigSource.DefaultConfig, throttle.Source);
    }
}
