namespace KafkaSharp.Storage.Tests;

public class LogConfigTests
{
    [Fact]
    public void Every_documented_default_parses_to_the_default_config()
    {
        var defaults = TopicConfigs.All.ToDictionary(d => d.Name, d => d.DefaultValue);

        Assert.True(LogConfig.TryCreate(defaults, LogConfig.Default with { RetentionMs = 1 }, out var config, out var errors), string.Join("; ", errors));

        Assert.Equal(LogConfig.Default, config);
        Assert.Equal(TopicConfigs.All.Count, TopicConfigs.All.Select(d => d.Name).Distinct().Count());
        Assert.All(TopicConfigs.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Documentation)));
    }

    [Fact]
    public void Overrides_merge_over_the_broker_defaults()
    {
        var brokerDefaults = LogConfig.Default with { RetentionMs = 1_000, SegmentBytes = 2 * 1024 * 1024 };
        var overrides = new Dictionary<string, string>
        {
            ["segment.bytes"] = " 1048576 ",
            ["message.timestamp.type"] = "logappendtime",
            ["cleanup.policy"] = "compact, delete",
            ["retention.bytes"] = "-1",
            ["preallocate"] = "TRUE",
        };

        Assert.True(LogConfig.TryCreate(overrides, brokerDefaults, out var config, out var errors));

        Assert.Empty(errors);
        Assert.Equal(1_000, config.RetentionMs);
        Assert.Equal(1024 * 1024, config.SegmentBytes);
        Assert.Equal(TimestampType.LogAppendTime, config.MessageTimestampType);
        Assert.Equal(CleanupPolicy.Compact | CleanupPolicy.Delete, config.CleanupPolicy);
    }

    [Theory]
    [InlineData("no.such.config", "1", "Unknown topic config name: no.such.config")]
    [InlineData("retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1")]
    [InlineData("segment.bytes", "1000", "Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576")]
    [InlineData("segment.bytes", "3000000000", "Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT")]
    [InlineData("flush.ms", "soon", "Invalid value soon for configuration flush.ms: Not a number of type LONG")]
    [InlineData("cleanup.policy", "delete,shred", "Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete")]
    [InlineData("compression.gzip.level", "0", "Invalid value 0 for configuration compression.gzip.level: Value must be [1,...,9] or -1")]
    [InlineData("min.cleanable.dirty.ratio", "1.5", "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be between 0 and 1")]
    [InlineData("unclean.leader.election.enable", "yes", "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false")]
    public void Invalid_overrides_are_reported_by_name(string name, string value, string message)
    {
        var overrides = new Dictionary<string, string> { ["retention.ms"] = "5", [name] = value };

        Assert.False(LogConfig.TryCreate(overrides, LogConfig.Default, out var config, out var errors));

        Assert.Equal([new ConfigError(name, message)], errors);
        Assert.Same(LogConfig.Default, config);
    }

    [Fact]
    public void Definitions_name_their_broker_synonyms()
    {
        Assert.Equal("log.roll.ms", TopicConfigs.Find("segment.ms")!.ServerDefaultProperty);
        Assert.Equal("message.max.bytes", TopicConfigs.Find("max.message.bytes")!.ServerDefaultProperty);
        Assert.Null(TopicConfigs.Find("remote.storage.enable")!.ServerDefaultProperty);
        Assert.Equal(TopicConfigType.List, TopicConfigs.Find("cleanup.policy")!.Type);
        Assert.Null(TopicConfigs.Find("log.retention.ms"));
    }
}
