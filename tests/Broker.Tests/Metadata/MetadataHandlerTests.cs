using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class MetadataHandlerTests
{
    private static readonly MetadataHandler Handler = new();

    private static async Task<MetadataResponse> HandleAsync(MetadataTestContext context, short version, MetadataRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.Metadata, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static MetadataRequest Named(params string[] names) =>
        new() { Topics = names.Select(name => new MetadataRequest.MetadataRequestTopic { Name = name }).ToList() };

    [Fact]
    public async Task TheBrokerIsThisNodeAtTheListenersAdvertisedAddressAndTheController()
    {
        await using var context = new MetadataTestContext();

        var response = await HandleAsync(context, 12, new MetadataRequest { Topics = null });

        var broker = Assert.Single(response.Brokers);
        Assert.Equal(1, broker.NodeId);
        Assert.Equal("localhost", broker.Host);
        Assert.Equal(9092, broker.Port);
        Assert.Null(broker.Rack);
        Assert.Equal(1, response.ControllerId);
        Assert.Equal("test-cluster", response.ClusterId);
        Assert.Equal(int.MinValue, response.ClusterAuthorizedOperations);
        Assert.Empty(response.Topics);
    }

    [Fact]
    public async Task AnExistingTopicIsLedByThisNodeAtEpochZero()
    {
        await using var context = new MetadataTestContext();
        var created = context.CreateTopic("orders", 3);

        var response = await HandleAsync(context, 12, Named("orders"));

        var topic = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
        Assert.Equal("orders", topic.Name);
        Assert.Equal(created.TopicId, topic.TopicId);
        Assert.False(topic.IsInternal);
        Assert.Equal(int.MinValue, topic.TopicAuthorizedOperations);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionIndex));
        foreach (var partition in topic.Partitions)
        {
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(1, partition.LeaderId);
            Assert.Equal(0, partition.LeaderEpoch);
            Assert.Equal([1], partition.ReplicaNodes);
            Assert.Equal([1], partition.IsrNodes);
            Assert.Empty(partition.OfflineReplicas);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task EveryVersionAnswersAllTopics(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("b", 2);
        context.CreateTopic("a", 1);

        var request = version == 0 ? new MetadataRequest() : new MetadataRequest { Topics = null };
        var response = await HandleAsync(context, version, request);

        Assert.Equal(["a", "b"], response.Topics.Select(t => t.Name));
        Assert.Equal(version >= 2 ? "test-cluster" : null, response.ClusterId);
        Assert.Equal(version >= 1 ? 1 : -1, response.ControllerId);
        Assert.Equal(version >= 7 ? 0 : -1, response.Topics[0].Partitions[0].LeaderEpoch);
        Assert.Equal(version >= 10, !response.Topics[0].TopicId.IsZero);
    }

    [Fact]
    public async Task AnEmptyListFromV1AsksForNoTopics()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("present");

        Assert.Empty((await HandleAsync(context, 1, new MetadataRequest())).Topics);
        Assert.Single((await HandleAsync(context, 0, new MetadataRequest())).Topics);
    }

    [Fact]
    public async Task UnknownTopicsAreAutoCreatedButAnsweredAsUnknownLikeKafka4()
    {
        await using var context = new MetadataTestContext(("num.partitions", "3"));

        var response = await HandleAsync(context, 12, Named("fresh"));

        var topic = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
        Assert.Equal("fresh", topic.Name);
        Assert.Empty(topic.Partitions);
        Assert.True(context.Topics.TryGetTopic("fresh", out var created));
        Assert.Equal(3, created.PartitionCount);

        var next = Assert.Single((await HandleAsync(context, 12, Named("fresh"))).Topics);
        Assert.Equal((short)ErrorCode.None, next.ErrorCode);
        Assert.Equal(3, next.Partitions.Count);
    }

    [Fact]
    public async Task TheClientCanForbidAutoCreationFromV4()
    {
        await using var context = new MetadataTestContext();
        var request = Named("not-created");
        request.AllowAutoTopicCreation = false;

        var topic = Assert.Single((await HandleAsync(context, 4, request)).Topics);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
        Assert.False(context.Topics.TryGetTopic("not-created", out _));
    }

    [Fact]
    public async Task BeforeV4TheRequestAlwaysAllowsAutoCreation()
    {
        await using var context = new MetadataTestContext();

        await HandleAsync(context, 3, Named("old-client"));

        Assert.True(context.Topics.TryGetTopic("old-client", out _));
    }

    [Fact]
    public async Task TheBrokerCanForbidAutoCreation()
    {
        await using var context = new MetadataTestContext(("auto.create.topics.enable", "false"));

        var topic = Assert.Single((await HandleAsync(context, 12, Named("not-created"))).Topics);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task IllegalNamesAreInvalidAndNeverCreated()
    {
        await using var context = new MetadataTestContext();

        var topic = Assert.Single((await HandleAsync(context, 12, Named("bad name"))).Topics);

        Assert.Equal((short)ErrorCode.InvalidTopicException, topic.ErrorCode);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task ConsumerOffsetsIsCreatedAsTheGroupCoordinatorWouldAndIsInternal()
    {
        await using var context = new MetadataTestContext(("offsets.topic.num.partitions", "5"));

        var first = Assert.Single((await HandleAsync(context, 12, Named("__consumer_offsets"))).Topics);
        Assert.True(first.IsInternal);

        Assert.True(context.Topics.TryGetTopic("__consumer_offsets", out var offsets));
        Assert.Equal(5, offsets.PartitionCount);
        Assert.Equal("compact", offsets.Overrides["cleanup.policy"]);
        Assert.Equal("104857600", offsets.Overrides["segment.bytes"]);
        var described = Assert.Single((await HandleAsync(context, 12, Named("__consumer_offsets"))).Topics);
        Assert.True(described.IsInternal);
    }

    [Fact]
    public async Task TransactionStateIsNotAutoCreated()
    {
        await using var context = new MetadataTestContext();

        var topic = Assert.Single((await HandleAsync(context, 12, Named("__transaction_state"))).Topics);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
        Assert.True(topic.IsInternal);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task DuplicateNamesAreAnsweredOnce()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("twice");

        Assert.Single((await HandleAsync(context, 12, Named("twice", "twice"))).Topics);
    }

    [Fact]
    public async Task FromV12TopicsCanBeLookedUpById()
    {
        await using var context = new MetadataTestContext();
        var known = context.CreateTopic("known", 2);
        var unknownId = KafkaUuid.NewRandom();
        var request = new MetadataRequest
        {
            Topics =
            [
                new MetadataRequest.MetadataRequestTopic { TopicId = known.TopicId, Name = null },
                new MetadataRequest.MetadataRequestTopic { TopicId = unknownId, Name = null },
            ],
        };

        var response = await HandleAsync(context, 12, request);

        Assert.Equal(2, response.Topics.Count);
        Assert.Equal("known", response.Topics[0].Name);
        Assert.Equal(2, response.Topics[0].Partitions.Count);
        Assert.Equal((short)ErrorCode.UnknownTopicId, response.Topics[1].ErrorCode);
        Assert.Null(response.Topics[1].Name);
        Assert.Equal(unknownId, response.Topics[1].TopicId);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public async Task BeforeV12TopicIdsAndNullNamesAreInvalidRequests(short version)
    {
        await using var context = new MetadataTestContext();
        var request = new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { TopicId = KafkaUuid.NewRandom(), Name = "named" }],
        };

        var response = await HandleAsync(context, version, request);

        var topic = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.InvalidRequest, topic.ErrorCode);
        Assert.Empty(response.Brokers);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task AuthorizedOperationsAreAllOperationsWhenAsked()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("ops");
        var request = Named("ops", "missing");
        request.AllowAutoTopicCreation = false;
        request.IncludeTopicAuthorizedOperations = true;
        request.IncludeClusterAuthorizedOperations = true;

        var v10 = await HandleAsync(context, 10, request);
        var v12 = await HandleAsync(context, 12, request);

        Assert.All(v10.Topics, topic => Assert.Equal(MetadataHandler.AllTopicOperations, topic.TopicAuthorizedOperations));
        Assert.Equal(3576, MetadataHandler.AllTopicOperations);
        Assert.Equal(MetadataHandler.AllClusterOperations, v10.ClusterAuthorizedOperations);
        Assert.Equal(8096, MetadataHandler.AllClusterOperations);
        Assert.Equal(int.MinValue, v12.ClusterAuthorizedOperations);
        Assert.All(v12.Topics, topic => Assert.Equal(MetadataHandler.AllTopicOperations, topic.TopicAuthorizedOperations));
    }

    [Fact]
    public async Task ADeletedTopicIsUnknown()
    {
        await using var context = new MetadataTestContext(("auto.create.topics.enable", "false"));
        context.CreateTopic("gone");
        context.Topics.DeleteTopic("gone", out _);

        var topic = Assert.Single((await HandleAsync(context, 12, Named("gone"))).Topics);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
    }
}
