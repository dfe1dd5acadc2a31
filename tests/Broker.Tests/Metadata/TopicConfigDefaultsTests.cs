using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class TopicConfigDefaultsTests
{
    private static TopicConfigDefaults Create(params (string Name, string Value)[] settings)
    {
        var values = new Dictionary<string, string>();
        foreach (var (name, value) in settings)
        {
            values[name] = value;
        }
        return TopicConfigDefaults.Create(new BrokerConfig(values));
    }

    [Fact]
    public void WithoutBrokerSettingsEveryTopicConfigIsKafkasDefault()
    {
        var defaults = Create();

        Assert.Equal(TopicConfigs.All.Count, defaults.All.Count);
        foreach (var entry in defaults.All)
        {
            Assert.Equal(entry.Definition.DefaultValue, entry.Value);
            Assert.Equal(ConfigSource.DefaultConfig, entry.Source);
        }
        Assert.Equal(LogConfig.Default, defaults.LogConfig);
    }

    [Fact]
    public void TopicConfigsListTheirBrokerSynonymsDefaults()
    {
        var defaults = Create();

        Assert.Equal([new ConfigSynonym("log.segment.bytes", "1073741824", ConfigSource.DefaultConfig)], defaults.Find("segment.bytes")!.Synonyms);
        Assert.Equal([new ConfigSynonym("message.max.bytes", "1048588", ConfigSource.DefaultConfig)], defaults.Find("max.message.bytes")!.Synonyms);
        Assert.Equal([new ConfigSynonym("log.cleanup.policy", "delete", ConfigSource.DefaultConfig)], defaults.Find("cleanup.policy")!.Synonyms);
        // Kafka lists no synonym when log.retention.ms itself has no value (its hours synonym is dropped).
        Assert.Empty(defaults.Find("retention.ms")!.Synonyms);
        Assert.Equal([new ConfigSynonym("log.cleaner.delete.retention.ms", "86400000", ConfigSource.DefaultConfig)],
            defaults.Find("delete.retention.ms")!.Synonyms);
        Assert.Equal([new ConfigSynonym("log.cleaner.min.cleanable.ratio", "0.5", ConfigSource.DefaultConfig)],
            defaults.Find("min.cleanable.dirty.ratio")!.Synonyms);
        Assert.Equal([new ConfigSynonym("log.cleaner.max.compaction.lag.ms", "9223372036854775807", ConfigSource.DefaultConfig)],
            defaults.Find("max.compaction.lag.ms")!.Synonyms);
        // A broker config KafkaSharp does not know still shows as Kafka's default.
        Assert.Equal([new ConfigSynonym("log.preallocate", "false", ConfigSource.DefaultConfig)], defaults.Find("preallocate")!.Synonyms);
        Assert.Empty(defaults.Find("remote.storage.enable")!.Synonyms);
    }

    [Fact]
    public void BrokerSettingsBecomeTheTopicDefaults()
    {
        var defaults = Create(("log.segment.bytes", "2097152"), ("message.max.bytes", "5000"), ("log.cleanup.policy", "compact"),
            ("log.retention.hours", "2"), ("log.roll.hours", "1"), ("compression.type", "lz4"));

        Assert.Equal(2_097_152, defaults.LogConfig.SegmentBytes);
        Assert.Equal(5000, defaults.LogConfig.MaxMessageBytes);
        Assert.Equal(CleanupPolicy.Compact, defaults.LogConfig.CleanupPolicy);
        Assert.Equal(7_200_000L, defaults.LogConfig.RetentionMs);
        Assert.Equal(3_600_000L, defaults.LogConfig.SegmentMs);
        Assert.Equal("lz4", defaults.LogConfig.CompressionType);

        var segmentBytes = defaults.Find("segment.bytes")!;
        Assert.Equal("2097152", segmentBytes.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, segmentBytes.Source);
        Assert.Equal(
            [new ConfigSynonym("log.segment.bytes", "2097152", ConfigSource.StaticBrokerConfig), new ConfigSynonym("log.segment.bytes", "1073741824", ConfigSource.DefaultConfig)],
            segmentBytes.Synonyms);
        var retention = defaults.Find("retention.ms")!;
        Assert.Equal("7200000", retention.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, retention.Source);
    }

    [Fact]
    public void CleanerSettingsBecomeTheTopicDefaults()
    {
        var defaults = Create(("log.cleanup.policy", "compact,delete"), ("log.cleaner.delete.retention.ms", "1000"),
            ("log.cleaner.min.cleanable.ratio", "0.75"), ("log.cleaner.min.compaction.lag.ms", "2000"),
            ("log.cleaner.max.compaction.lag.ms", "600000"));

        Assert.Equal(CleanupPolicy.Compact | CleanupPolicy.Delete, defaults.LogConfig.CleanupPolicy);
        Assert.Equal(1000L, defaults.LogConfig.DeleteRetentionMs);
        Assert.Equal(0.75, defaults.LogConfig.MinCleanableDirtyRatio);
        Assert.Equal(2000L, defaults.LogConfig.MinCompactionLagMs);
        Assert.Equal(600_000L, defaults.LogConfig.MaxCompactionLagMs);

        var policy = defaults.Find("cleanup.policy")!;
        Assert.Equal("compact,delete", policy.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, policy.Source);
        var ratio = defaults.Find("min.cleanable.dirty.ratio")!;
        Assert.Equal("0.75", ratio.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, ratio.Source);
        Assert.Equal(
            [new ConfigSynonym("log.cleaner.min.cleanable.ratio", "0.75", ConfigSource.StaticBrokerConfig), new ConfigSynonym("log.cleaner.min.cleanable.ratio", "0.5", ConfigSource.DefaultConfig)],
            ratio.Synonyms);
        Assert.Equal(
            [new ConfigSynonym("log.cleaner.delete.retention.ms", "1000", ConfigSource.StaticBrokerConfig), new ConfigSynonym("log.cleaner.delete.retention.ms", "86400000", ConfigSource.DefaultConfig)],
            defaults.Find("delete.retention.ms")!.Synonyms);
        Assert.Equal("2000", defaults.Find("min.compaction.lag.ms")!.Value);
        Assert.Equal("600000", defaults.Find("max.compaction.lag.ms")!.Value);
    }

    [Fact]
    public void RetentionSynonymsFollowKafkasOrder()
    {
        var defaults = Create(("log.retention.ms", "5000"), ("log.retention.hours", "3"));

        Assert.Equal(
        [
            new ConfigSynonym("log.retention.ms", "5000", ConfigSource.StaticBrokerConfig),
            new ConfigSynonym("log.retention.hours", "3", ConfigSource.StaticBrokerConfig),
            new ConfigSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig),
        ], defaults.Find("retention.ms")!.Synonyms);
        Assert.Equal(5000L, defaults.LogConfig.RetentionMs);
    }

    [Fact]
    public void ABrokerValueThatIsNoValidTopicValueStopsTheStart()
    {
        var error = Assert.Throws<ConfigException>(() => Create(("log.segment.bytes", "1000")));

        Assert.StartsWith("log.segment.bytes: Invalid value 1000 for configuration segment.bytes", error.Message);
    }

    [Theory]
    [InlineData("cleanup.policy", "Compact,DELETE", "compact,delete")]
    [InlineData("retention.ms", " 42 ", "42")]
    [InlineData("preallocate", "TRUE", "true")]
    [InlineData("min.cleanable.dirty.ratio", "1", "1.0")]
    [InlineData("min.cleanable.dirty.ratio", "0.25", "0.25")]
    [InlineData("message.timestamp.type", "logappendtime", "LogAppendTime")]
    public void ValuesAreCanonicalized(string name, string raw, string canonical)
    {
        Assert.Equal(canonical, TopicConfigDefaults.Canonicalize(TopicConfigs.Find(name)!, raw, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void InvalidValuesGetKafkasMessage()
    {
        Assert.Null(TopicConfigDefaults.Canonicalize(TopicConfigs.Find("segment.bytes")!, "10", out var error));
        Assert.Equal("Invalid value 10 for configuration segment.bytes: Value must be at least 1048576", error);
    }
}
