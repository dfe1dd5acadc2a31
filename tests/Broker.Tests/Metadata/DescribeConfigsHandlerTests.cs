using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class DescribeConfigsHandlerTests
{
    private static readonly DescribeConfigsHandler Handler = new();

    private static async Task<DescribeConfigsResponse> HandleAsync(MetadataTestContext context, short version, DescribeConfigsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.DescribeConfigs, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static DescribeConfigsRequest.DescribeConfigsResource Resource(ConfigResourceType type, string name, params string[] keys) => new()
    {
        ResourceType = (sbyte)type,
        ResourceName = name,
        ConfigurationKeys = keys.Length == 0 ? null : keys.ToList(),
    };

    [Fact]
    public async Task ATopicShowsEveryConfigWithOverridesAndDefaults()
    {
        await using var context = new MetadataTestContext(("log.segment.bytes", "2097152"));
        context.CreateTopic("described", 1, ("retention.ms", "123456789"));
        var request = new DescribeConfigsRequest { Resources = [Resource(ConfigResourceType.Topic, "described")], IncludeSynonyms = true };

        var result = Assert.Single((await HandleAsync(context, 4, request)).Results);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal((sbyte)ConfigResourceType.Topic, result.ResourceType);
        Assert.Equal("described", result.ResourceName);
        Assert.Equal(TopicConfigs.All.Select(d => d.Name), result.Configs.Select(c => c.Name));
        var retention = result.Configs.Single(c => c.Name == "retention.ms");
        Assert.Equal("123456789", retention.Value);
        Assert.Equal((sbyte)ConfigSource.TopicConfig, retention.ConfigSource);
        Assert.False(retention.ReadOnly);
        Assert.False(retention.IsSensitive);
        Assert.Equal((sbyte)ConfigType.Long, retention.ConfigType);
        Assert.Null(retention.Documentation);
        Assert.Equal(("retention.ms", "123456789", (sbyte)ConfigSource.TopicConfig), (retention.Synonyms[0].Name, retention.Synonyms[0].Value, retention.Synonyms[0].Source));
        var segment = result.Configs.Single(c => c.Name == "segment.bytes");
        Assert.Equal("2097152", segment.Value);
        Assert.Equal((sbyte)ConfigSource.StaticBrokerConfig, segment.ConfigSource);
        Assert.Equal(["log.segment.bytes", "log.segment.bytes"], segment.Synonyms.Select(s => s.Name));
        var cleanup = result.Configs.Single(c => c.Name == "cleanup.policy");
        Assert.Equal("delete", cleanup.Value);
        Assert.Equal((sbyte)ConfigSource.DefaultConfig, cleanup.ConfigSource);
        Assert.Equal((sbyte)ConfigType.List, cleanup.ConfigType);
        var maxMessage = result.Configs.Single(c => c.Name == "max.message.bytes");
        Assert.Equal("1048588", maxMessage.Value);
        Assert.Equal("message.max.bytes", Assert.Single(maxMessage.Synonyms).Name);
    }

    [Fact]
    public async Task SynonymsAndDocumentationOnlyWhenAsked()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("plain");
        var request = new DescribeConfigsRequest { Resources = [Resource(ConfigResourceType.Topic, "plain", "segment.bytes", "no.such.key")] };

        var plain = Assert.Single(Assert.Single((await HandleAsync(context, 3, request)).Results).Configs);
        request.IncludeDocumentation = true;
        var documented = Assert.Single(Assert.Single((await HandleAsync(context, 3, request)).Results).Configs);

        Assert.Equal("segment.bytes", plain.Name);
        Assert.Empty(plain.Synonyms);
        Assert.Null(plain.Documentation);
        Assert.Equal(TopicConfigs.Find("segment.bytes")!.Documentation, documented.Documentation);
    }

    [Fact]
    public async Task V0MarksDefaults()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("old", 1, ("retention.ms", "1000"));
        var request = new DescribeConfigsRequest { Resources = [Resource(ConfigResourceType.Topic, "old", "retention.ms", "segment.ms")] };

        var configs = Assert.Single((await HandleAsync(context, 0, request)).Results).Configs;

        Assert.False(configs.Single(c => c.Name == "retention.ms").IsDefault);
        Assert.True(configs.Single(c => c.Name == "segment.ms").IsDefault);
    }

    [Fact]
    public async Task UnknownAndIllegalTopicsAreErrors()
    {
        await using var context = new MetadataTestContext();
        var request = new DescribeConfigsRequest { Resources = [Resource(ConfigResourceType.Topic, "missing"), Resource(ConfigResourceType.Topic, "bad name")] };

        var results = (await HandleAsync(context, 4, request)).Results;

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, results[0].ErrorCode);
        Assert.Empty(results[0].Configs);
        Assert.Equal((short)ErrorCode.InvalidTopicException, results[1].ErrorCode);
        Assert.StartsWith("Topic name is invalid", results[1].ErrorMessage);
    }

    [Fact]
    public async Task TheBrokerShowsItsConfigsAsReadOnlyWithSources()
    {
        await using var context = new MetadataTestContext(("log.retention.hours", "1"), ("num.partitions", "3"));
        var request = new DescribeConfigsRequest { Resources = [Resource(ConfigResourceType.Broker, "1")], IncludeSynonyms = true };

        var result = Assert.Single((await HandleAsync(context, 4, request)).Results);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(BrokerConfigs.All.Select(d => d.Name), result.Configs.Select(c => c.Name));
        Assert.All(result.Configs, c => Assert.True(c.ReadOnly));
        var partitions = result.Configs.Single(c => c.Name == "num.partitions");
        Assert.Equal("3", partitions.Value);
        Assert.Equal((sbyte)ConfigSource.StaticBrokerConfig, partitions.ConfigSource);
        Assert.Equal([(sbyte)ConfigSource.StaticBrokerConfig, (sbyte)ConfigSource.DefaultConfig], partitions.Synonyms.Select(s => s.Source));
        var hours = result.Configs.Single(c => c.Name == "log.retention.hours");
        Assert.Equal("1", hours.Value);
        Assert.Equal(["log.retention.hours", "log.retention.hours"], hours.Synonyms.Select(s => s.Name));
        var retentionMs = result.Configs.Single(c => c.Name == "log.retention.ms");
        Assert.Null(retentionMs.Value);
        Assert.Equal((sbyte)ConfigSource.DefaultConfig, retentionMs.ConfigSource);
        var autoCreate = result.Configs.Single(c => c.Name == "auto.create.topics.enable");
        Assert.Equal("true", autoCreate.Value);
        Assert.Equal((sbyte)ConfigSource.DefaultConfig, autoCreate.ConfigSource);
        Assert.Equal((sbyte)ConfigType.Boolean, autoCreate.ConfigType);
    }

    [Fact]
    public async Task CleanerSettingsShowOnTheBrokerAndAsTopicSynonyms()
    {
        await using var context = new MetadataTestContext(("log.cleaner.min.cleanable.ratio", "0.75"), ("log.cleaner.delete.retention.ms", "1000"),
            ("log.cleanup.policy", "compact,delete"));
        context.CreateTopic("compacted", 1, ("delete.retention.ms", "5000"));
        var request = new DescribeConfigsRequest
        {
            Resources =
            [
                Resource(ConfigResourceType.Topic, "compacted", "min.cleanable.dirty.ratio", "delete.retention.ms", "cleanup.policy", "min.compaction.lag.ms"),
                Resource(ConfigResourceType.Broker, "1", "log.cleaner.min.cleanable.ratio", "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second"),
            ],
            IncludeSynonyms = true,
        };

        var results = (await HandleAsync(context, 4, request)).Results;

        const sbyte Topic = (sbyte)ConfigSource.TopicConfig, Static = (sbyte)ConfigSource.StaticBrokerConfig, Default = (sbyte)ConfigSource.DefaultConfig;
        var topic = results[0].Configs;
        Assert.Equal(4, topic.Count);
        var ratio = topic.Single(c => c.Name == "min.cleanable.dirty.ratio");
        Assert.Equal(("0.75", Static), (ratio.Value, ratio.ConfigSource));
        Assert.Equal([("log.cleaner.min.cleanable.ratio", "0.75", Static), ("log.cleaner.min.cleanable.ratio", "0.5", Default)],
            ratio.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        var deleteRetention = topic.Single(c => c.Name == "delete.retention.ms");
        Assert.Equal(("5000", Topic), (deleteRetention.Value, deleteRetention.ConfigSource));
        Assert.Equal(
            [("delete.retention.ms", "5000", Topic), ("log.cleaner.delete.retention.ms", "1000", Static), ("log.cleaner.delete.retention.ms", "86400000", Default)],
            deleteRetention.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        var policy = topic.Single(c => c.Name == "cleanup.policy");
        Assert.Equal(("compact,delete", Static), (policy.Value, policy.ConfigSource));
        Assert.Equal([("log.cleanup.policy", "compact,delete", Static), ("log.cleanup.policy", "delete", Default)],
            policy.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        var minLag = topic.Single(c => c.Name == "min.compaction.lag.ms");
        Assert.Equal(("0", Default), (minLag.Value, minLag.ConfigSource));
        Assert.Equal([("log.cleaner.min.compaction.lag.ms", "0", Default)], minLag.Synonyms.Select(s => (s.Name, s.Value, s.Source)));

        var broker = results[1].Configs;
        Assert.Equal(3, broker.Count);
        var brokerRatio = broker.Single(c => c.Name == "log.cleaner.min.cleanable.ratio");
        Assert.Equal(("0.75", Static, (sbyte)ConfigType.Double), (brokerRatio.Value, brokerRatio.ConfigSource, brokerRatio.ConfigType));
        var threads = broker.Single(c => c.Name == "log.cleaner.threads");
        Assert.Equal(("1", Default, (sbyte)ConfigType.Int), (threads.Value, threads.ConfigSource, threads.ConfigType));
        var throttle = broker.Single(c => c.Name == "log.cleaner.io.max.bytes.per.second");
        Assert.Equal(("1.7976931348623157E308", Default), (throttle.Value, throttle.ConfigSource));
    }

    [Fact]
    public async Task BrokerResourceNamesFollowKafkasRules()
    {
        await using var context = new MetadataTestContext();
        var request = new DescribeConfigsRequest
        {
            Resources = [Resource(ConfigResourceType.Broker, ""), Resource(ConfigResourceType.Broker, "2"), Resource(ConfigResourceType.Broker, "one")],
        };

        var results = (await HandleAsync(context, 4, request)).Results;

        Assert.Equal((short)ErrorCode.None, results[0].ErrorCode);
        Assert.Empty(results[0].Configs);
        Assert.Equal((short)ErrorCode.InvalidRequest, results[1].ErrorCode);
        Assert.Equal("Unexpected broker id, expected 1 or empty string, but received 2", results[1].ErrorMessage);
        Assert.Equal("Broker id must be an integer, but it is: one", results[2].ErrorMessage);
    }

    [Fact]
    public async Task UnsupportedTypesAreErrorsAndUnknownTypesRejectTheRequest()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("fine");
        var supported = new DescribeConfigsRequest
        {
            Resources = [Resource(ConfigResourceType.BrokerLogger, "1"), Resource(ConfigResourceType.ClientMetrics, "subscription"), Resource(ConfigResourceType.Topic, "fine")],
        };
        var unknown = new DescribeConfigsRequest
        {
            Resources = [Resource(ConfigResourceType.Topic, "fine"), new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 99, ResourceName = "x" }],
        };

        var results = (await HandleAsync(context, 4, supported)).Results;
        var rejected = (await HandleAsync(context, 4, unknown)).Results;

        Assert.Equal((short)ErrorCode.InvalidRequest, results[0].ErrorCode);
        Assert.Equal((short)ErrorCode.None, results[1].ErrorCode);
        Assert.Empty(results[1].Configs);
        Assert.Equal((short)ErrorCode.None, results[2].ErrorCode);
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal((short)ErrorCode.InvalidRequest, r.ErrorCode));
        Assert.All(rejected, r => Assert.Empty(r.Configs));
    }
}
