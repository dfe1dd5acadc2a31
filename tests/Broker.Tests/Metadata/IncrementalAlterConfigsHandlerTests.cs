using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class IncrementalAlterConfigsHandlerTests
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;
    private const sbyte Append = 2;
    private const sbyte Subtract = 3;

    private static readonly IncrementalAlterConfigsHandler Handler = new();

    private static async Task<IncrementalAlterConfigsResponse> HandleAsync(MetadataTestContext context, IncrementalAlterConfigsRequest request,
        short version = 1)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.IncrementalAlterConfigs, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static IncrementalAlterConfigsRequest.AlterConfigsResource Resource(ConfigResourceType type, string name,
        params (string Name, sbyte Operation, string? Value)[] configs) => new()
    {
        ResourceType = (sbyte)type,
        ResourceName = name,
        Configs = configs.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Operation, Value = c.Value }).ToList(),
    };

    private static IncrementalAlterConfigsRequest Request(params IncrementalAlterConfigsRequest.AlterConfigsResource[] resources) => new() { Resources = resources.ToList() };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task SetAndDeleteChangeOverridesAndTheLogs(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("tuned", 1, ("retention.ms", "1000"), ("segment.ms", "60000"));

        var response = await HandleAsync(context, Request(Resource(ConfigResourceType.Topic, "tuned",
            ("max.message.bytes", Set, "2048"), ("retention.ms", Delete, null))), version);

        var result = Assert.Single(response.Responses);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Null(result.ErrorMessage);
        Assert.True(context.Topics.TryGetTopic("tuned", out var topic));
        Assert.Equal(new Dictionary<string, string> { ["max.message.bytes"] = "2048", ["segment.ms"] = "60000" }, topic.Overrides);
        var config = context.Topics.Logs.GetLog(new TopicPartition("tuned", 0))!.Config;
        Assert.Equal(2048, config.MaxMessageBytes);
        Assert.Equal(LogConfig.Default.RetentionMs, config.RetentionMs);
    }

    [Fact]
    public async Task AppendAndSubtractWorkOnListConfigsFromTheirDefault()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("listed");

        await HandleAsync(context, Request(Resource(ConfigResourceType.Topic, "listed", ("cleanup.policy", Append, "compact"))));
        Assert.True(context.Topics.TryGetTopic("listed", out var appended));
        Assert.Equal("delete,compact", appended.Overrides["cleanup.policy"]);
        Assert.Equal(CleanupPolicy.Delete | CleanupPolicy.Compact, appended.Config.CleanupPolicy);

        await HandleAsync(context, Request(Resource(ConfigResourceType.Topic, "listed", ("cleanup.policy", Subtract, "delete"))));
        Assert.True(context.Topics.TryGetTopic("listed", out var subtracted));
        Assert.Equal("compact", subtracted.Overrides["cleanup.policy"]);
    }

    [Fact]
    public async Task AppendOnANonListConfigIsInvalid()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("scalar");

        var result = Assert.Single((await HandleAsync(context, Request(Resource(ConfigResourceType.Topic, "scalar", ("retention.ms", Append, "5"))))).Responses);

        Assert.Equal((short)ErrorCode.InvalidConfig, result.ErrorCode);
        Assert.Equal("Can't APPEND to key retention.ms because its type is not LIST.", result.ErrorMessage);
    }

    [Fact]
    public async Task RequestLevelChecksComeFirst()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("t");
        var request = Request(
            Resource(ConfigResourceType.Topic, "twice", ("retention.ms", Set, "1")),
            Resource(ConfigResourceType.Topic, "twice", ("retention.ms", Set, "2")),
            Resource(ConfigResourceType.Topic, "t", ("retention.ms", Set, "1"), ("retention.ms", Set, "2")),
            Resource(ConfigResourceType.Topic, "t2", ("retention.ms", Set, null), ("segment.ms", Delete, null)),
            Resource(ConfigResourceType.Topic, "t3", ("retention.ms", 9, "1")),
            Resource((ConfigResourceType)99, "x"));

        var responses = (await HandleAsync(context, request)).Responses;

        Assert.Equal(6, responses.Count);
        Assert.All(responses, r => Assert.Equal((short)ErrorCode.InvalidRequest, r.ErrorCode));
        Assert.Equal("Each resource must appear at most once.", responses[0].ErrorMessage);
        Assert.Equal("Each resource must appear at most once.", responses[1].ErrorMessage);
        Assert.Equal("Error due to duplicate config keys", responses[2].ErrorMessage);
        Assert.Equal("Null value not supported for : retention.ms", responses[3].ErrorMessage);
        Assert.Equal("Unknown operations type 9", responses[4].ErrorMessage);
        Assert.Equal("Unknown resource type 99", responses[5].ErrorMessage);
    }

    [Fact]
    public async Task ValidationUnknownTopicsAndValidateOnly()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("kept", 1, ("retention.ms", "1000"));
        var request = Request(
            Resource(ConfigResourceType.Topic, "kept", ("retention.ms", Set, "2000")),
            Resource(ConfigResourceType.Topic, "missing", ("retention.ms", Set, "2000")),
            Resource(ConfigResourceType.Topic, "invalid", ("segment.bytes", Set, "1")));
        request.ValidateOnly = true;

        var responses = (await HandleAsync(context, request)).Responses;

        Assert.Equal((short)ErrorCode.None, responses[0].ErrorCode);
        Assert.Equal("The topic 'missing' does not exist.", responses[1].ErrorMessage);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, responses[1].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, responses[2].ErrorCode);
        Assert.True(context.Topics.TryGetTopic("kept", out var topic));
        Assert.Equal("1000", topic.Overrides["retention.ms"]);
    }

    [Fact]
    public async Task BrokerConfigsCannotBeChangedAndOtherTypesAreUnsupported()
    {
        await using var context = new MetadataTestContext();
        var request = Request(
            Resource(ConfigResourceType.Broker, "1", ("log.retention.ms", Set, "1000")),
            Resource(ConfigResourceType.Broker, ""),
            Resource(ConfigResourceType.Broker, "7", ("log.retention.ms", Set, "1000")),
            Resource(ConfigResourceType.BrokerLogger, "1", ("root", Set, "DEBUG")),
            Resource(ConfigResourceType.Group, "g", ("consumer.session.timeout.ms", Set, "10000")));

        var responses = (await HandleAsync(context, request)).Responses;

        Assert.Equal("Cannot update these configs dynamically: Set(log.retention.ms)", responses[0].ErrorMessage);
        Assert.Equal((short)ErrorCode.None, responses[1].ErrorCode);
        Assert.Equal("Unexpected broker id, expected 1, but received 7", responses[2].ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidRequest, responses[3].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, responses[4].ErrorCode);
    }
}
