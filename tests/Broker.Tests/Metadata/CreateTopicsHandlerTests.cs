using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class CreateTopicsHandlerTests
{
    private static readonly CreateTopicsHandler Handler = new();

    private static async Task<CreateTopicsResponse> HandleAsync(MetadataTestContext context, short version, CreateTopicsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.CreateTopics, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static CreateTopicsRequest.CreatableTopic Topic(string name, int partitions = 1, short replicationFactor = 1,
        params (string Name, string? Value)[] configs) => new()
    {
        Name = name,
        NumPartitions = partitions,
        ReplicationFactor = replicationFactor,
        Configs = configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Name, Value = c.Value }).ToList(),
    };

    [Fact]
    public async Task ACreatedTopicIsDescribedWithItsIdPartitionsAndConfigs()
    {
        await using var context = new MetadataTestContext(("log.segment.bytes", "2097152"));
        var request = new CreateTopicsRequest { Topics = [Topic("orders", 3, 1, ("retention.ms", "3600000"))] };

        var response = await HandleAsync(context, 7, request);

        var result = Assert.Single(response.Topics);
        Assert.Equal("orders", result.Name);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Null(result.ErrorMessage);
        Assert.True(context.Topics.TryGetTopic("orders", out var topic));
        Assert.Equal(topic.TopicId, result.TopicId);
        Assert.Equal(3, result.NumPartitions);
        Assert.Equal(1, result.ReplicationFactor);
        var configs = result.Configs!;
        Assert.Equal(configs.Select(c => c.Name).Order(StringComparer.Ordinal), configs.Select(c => c.Name));
        var retention = configs.Single(c => c.Name == "retention.ms");
        Assert.Equal("3600000", retention.Value);
        Assert.Equal((sbyte)ConfigSource.TopicConfig, retention.ConfigSource);
        var segment = configs.Single(c => c.Name == "segment.bytes");
        Assert.Equal("2097152", segment.Value);
        Assert.Equal((sbyte)ConfigSource.StaticBrokerConfig, segment.ConfigSource);
        var cleanup = configs.Single(c => c.Name == "cleanup.policy");
        Assert.Equal("delete", cleanup.Value);
        Assert.Equal((sbyte)ConfigSource.DefaultConfig, cleanup.ConfigSource);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task OlderVersionsCreateTopicsToo(short version)
    {
        await using var context = new MetadataTestContext();

        var response = await HandleAsync(context, version, new CreateTopicsRequest { Topics = [Topic("old", 2)] });

        Assert.Equal((short)ErrorCode.None, Assert.Single(response.Topics).ErrorCode);
        Assert.True(context.Topics.TryGetTopic("old", out var topic));
        Assert.Equal(2, topic.PartitionCount);
    }

    [Fact]
    public async Task ErrorsCarryKafkasMessagesPerTopic()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("exists");
        var request = new CreateTopicsRequest
        {
            Topics = [Topic("exists"), Topic("ok"), Topic("bad/name"), Topic("replicated", 1, 3), Topic("configured", 1, 1, ("retention.ms", "soon"))],
        };

        var response = await HandleAsync(context, 7, request);

        Assert.Equal(["exists", "ok", "bad/name", "replicated", "configured"], response.Topics.Select(t => t.Name));
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, response.Topics[0].ErrorCode);
        Assert.Equal("Topic 'exists' already exists.", response.Topics[0].ErrorMessage);
        Assert.Equal(-1, response.Topics[0].NumPartitions);
        Assert.Equal((short)ErrorCode.None, response.Topics[1].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.Topics[2].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, response.Topics[3].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, response.Topics[4].ErrorCode);
        Assert.Equal("Invalid value soon for configuration retention.ms: Not a number of type LONG", response.Topics[4].ErrorMessage);
        Assert.Equal(["exists", "ok"], context.Topics.Topics.Select(t => t.Name));
    }

    [Fact]
    public async Task ANameGivenTwiceIsRefusedOnce()
    {
        await using var context = new MetadataTestContext();
        var request = new CreateTopicsRequest { Topics = [Topic("dup"), Topic("dup", 2)] };

        var response = await HandleAsync(context, 7, request);

        var result = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.InvalidRequest, result.ErrorCode);
        Assert.Equal("Duplicate topic name.", result.ErrorMessage);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task ValidateOnlyCreatesNothing()
    {
        await using var context = new MetadataTestContext();
        var request = new CreateTopicsRequest { Topics = [Topic("dry", 4)], validateOnly = true };

        var result = Assert.Single((await HandleAsync(context, 7, request)).Topics);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(4, result.NumPartitions);
        Assert.False(result.TopicId.IsZero);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task DefaultsAndManualAssignmentsAreAccepted()
    {
        await using var context = new MetadataTestContext(("num.partitions", "2"));
        var assigned = new CreateTopicsRequest.CreatableTopic
        {
            Name = "assigned",
            NumPartitions = -1,
            ReplicationFactor = -1,
            Assignments = [new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [1] }],
        };
        var request = new CreateTopicsRequest { Topics = [Topic("defaults", -1, -1), assigned] };

        var response = await HandleAsync(context, 7, request);

        Assert.All(response.Topics, t => Assert.Equal((short)ErrorCode.None, t.ErrorCode));
        Assert.Equal(2, response.Topics[0].NumPartitions);
        Assert.Equal(1, response.Topics[1].NumPartitions);
    }
}
