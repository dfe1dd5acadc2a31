using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class DescribeTopicPartitionsHandlerTests
{
    private static readonly DescribeTopicPartitionsHandler Handler = new();

    private static async Task<DescribeTopicPartitionsResponse> HandleAsync(MetadataTestContext context, DescribeTopicPartitionsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.DescribeTopicPartitions, 0), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, 0);
    }

    private static DescribeTopicPartitionsRequest Named(params string[] names) =>
        new() { Topics = names.Select(name => new DescribeTopicPartitionsRequest.TopicRequest { Name = name }).ToList() };

    private static IEnumerable<(string?, int)> Pairs(DescribeTopicPartitionsResponse response) =>
        response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex)));

    [Fact]
    public async Task NoTopicsListedDescribesEveryTopicByName()
    {
        await using var context = new MetadataTestContext();
        var b = context.CreateTopic("b", 2);
        context.CreateTopic("a", 1);

        var response = await HandleAsync(context, new DescribeTopicPartitionsRequest());

        Assert.Equal(["a", "b"], response.Topics.Select(t => t.Name));
        Assert.Null(response.NextCursor);
        var topic = response.Topics[1];
        Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
        Assert.Equal(b.TopicId, topic.TopicId);
        Assert.False(topic.IsInternal);
        Assert.Equal(MetadataHandler.AllTopicOperations, topic.TopicAuthorizedOperations);
        Assert.Equal([0, 1], topic.Partitions.Select(p => p.PartitionIndex));
        foreach (var partition in topic.Partitions)
        {
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(1, partition.LeaderId);
            Assert.Equal(0, partition.LeaderEpoch);
            Assert.Equal([1], partition.ReplicaNodes);
            Assert.Equal([1], partition.IsrNodes);
            Assert.Equal([], partition.EligibleLeaderReplicas!);
            Assert.Equal([], partition.LastKnownElr!);
            Assert.Empty(partition.OfflineReplicas);
        }
    }

    [Fact]
    public async Task NamedTopicsComeSortedOnceAndUnknownOnesAreErrors()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("orders", 1);

        var response = await HandleAsync(context, Named("zeta", "orders", "bad/name", "orders"));

        Assert.Equal(["bad/name", "orders", "zeta"], response.Topics.Select(t => t.Name));
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.Topics[0].ErrorCode);
        Assert.Equal((short)ErrorCode.None, response.Topics[1].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[2].ErrorCode);
        Assert.True(response.Topics[2].TopicId.IsZero);
        Assert.Empty(response.Topics[2].Partitions);
    }

    [Fact]
    public async Task TheLimitCutsATopicAndTheCursorResumesIt()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 3);
        context.CreateTopic("b", 2);

        var first = await HandleAsync(context, new DescribeTopicPartitionsRequest { ResponsePartitionLimit = 2 });
        Assert.Equal([("a", 0), ("a", 1)], Pairs(first));
        Assert.Equal("a", first.NextCursor!.TopicName);
        Assert.Equal(2, first.NextCursor.PartitionIndex);

        var second = await HandleAsync(context, new DescribeTopicPartitionsRequest
        {
            ResponsePartitionLimit = 2,
            Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = "a", PartitionIndex = 2 },
        });
        Assert.Equal([("a", 2), ("b", 0)], Pairs(second));
        Assert.Equal("b", second.NextCursor!.TopicName);
        Assert.Equal(1, second.NextCursor.PartitionIndex);
    }

    [Fact]
    public async Task ALimitUsedUpAtATopicsEndPointsTheCursorAtTheNextTopic()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 2);
        context.CreateTopic("b", 2);

        var response = await HandleAsync(context, new DescribeTopicPartitionsRequest { ResponsePartitionLimit = 2 });

        Assert.Equal([("a", 0), ("a", 1)], Pairs(response));
        Assert.Equal("b", response.NextCursor!.TopicName);
        Assert.Equal(0, response.NextCursor.PartitionIndex);
    }

    [Fact]
    public async Task ALimitBelowOneIsOne()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 2);

        var response = await HandleAsync(context, new DescribeTopicPartitionsRequest { ResponsePartitionLimit = 0 });

        Assert.Equal([("a", 0)], Pairs(response));
        Assert.Equal(1, response.NextCursor!.PartitionIndex);
    }

    [Fact]
    public async Task ACursorOutsideTheNamedTopicsIsAnInvalidRequest()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 2);
        var request = Named("a");
        request.Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = "b", PartitionIndex = 0 };

        var response = await HandleAsync(context, request);

        var topic = Assert.Single(response.Topics);
        Assert.Equal("a", topic.Name);
        Assert.Equal((short)ErrorCode.InvalidRequest, topic.ErrorCode);
        Assert.Empty(topic.Partitions);
    }

    [Fact]
    public async Task ANegativeCursorPartitionIsAnInvalidRequest()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 2);
        var request = Named("a");
        request.Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = "a", PartitionIndex = -1 };

        var response = await HandleAsync(context, request);

        Assert.Equal((short)ErrorCode.InvalidRequest, Assert.Single(response.Topics).ErrorCode);
    }
}
