using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class AlterConfigsHandlerTests
{
    private static readonly AlterConfigsHandler Handler = new();

    private static async Task<AlterConfigsResponse> HandleAsync(MetadataTestContext context, AlterConfigsRequest request, short version = 2)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.AlterConfigs, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static AlterConfigsRequest.AlterConfigsResource Resource(ConfigResourceType type, string name, params (string Name, string? Value)[] configs) => new()
    {
        ResourceType = (sbyte)type,
        ResourceName = name,
        Configs = configs.Select(c => new AlterConfigsRequest.AlterableConfig { Name = c.Name, Value = c.Value }).ToList(),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task TheGivenConfigsReplaceAllOverrides(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("replaced", 2, ("retention.ms", "1000"));

        var response = await HandleAsync(context, new AlterConfigsRequest { Resources = [Resource(ConfigResourceType.Topic, "replaced", ("segment.ms", "60000"))] }, version);

        Assert.Equal((short)ErrorCode.None, Assert.Single(response.Responses).ErrorCode);
        Assert.True(context.Topics.TryGetTopic("replaced", out var topic));
        Assert.Equal(new Dictionary<string, string> { ["segment.ms"] = "60000" }, topic.Overrides);
        var config = context.Topics.Logs.GetLog(new TopicPartition("replaced", 1))!.Config;
        Assert.Equal(60_000L, config.SegmentMs);
        Assert.Equal(LogConfig.Default.RetentionMs, config.RetentionMs);
    }

    [Fact]
    public async Task ErrorsAndValidateOnly()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("kept", 1, ("retention.ms", "1000"));
        var request = new AlterConfigsRequest
        {
            Resources =
            [
                Resource(ConfigResourceType.Topic, "kept", ("retention.ms", "5")),
                Resource(ConfigResourceType.Topic, "missing", ("retention.ms", "5")),
                Resource(ConfigResourceType.Topic, "nulls", ("retention.ms", null)),
                Resource(ConfigResourceType.Topic, "unknown-name", ("no.such", "1")),
                Resource(ConfigResourceType.BrokerLogger, "1", ("root", "DEBUG")),
                Resource(ConfigResourceType.Broker, "1", ("num.partitions", "3")),
            ],
            ValidateOnly = true,
        };

        var responses = (await HandleAsync(context, request)).Responses;

        Assert.Equal((short)ErrorCode.None, responses[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, responses[1].ErrorCode);
        Assert.Equal("Null value not supported for : retention.ms", responses[2].ErrorMessage);
        Assert.Equal("Unknown topic config name: no.such", responses[3].ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidConfig, responses[3].ErrorCode);
        Assert.Equal("Unknown resource type 8", responses[4].ErrorMessage);
        Assert.Equal("Cannot update these configs dynamically: Set(num.partitions)", responses[5].ErrorMessage);
        Assert.True(context.Topics.TryGetTopic("kept", out var topic));
        Assert.Equal("1000", topic.Overrides["retention.ms"]);
    }
}
