using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class CreatePartitionsHandlerTests
{
    private static readonly CreatePartitionsHandler Handler = new();

    private static async Task<CreatePartitionsResponse> HandleAsync(MetadataTestContext context, short version, CreatePartitionsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.CreatePartitions, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static CreatePartitionsRequest.CreatePartitionsTopic Topic(string name, int count, params int[][] assignments) => new()
    {
        Name = name,
        Count = count,
        Assignments = assignments.Length == 0 ? null : assignments.Select(ids => new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = ids.ToList() }).ToList(),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task PartitionCountsAreRaised(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("growing", 1);
        context.CreateTopic("steady", 2);

        var response = await HandleAsync(context, version, new CreatePartitionsRequest
        {
            Topics = [Topic("growing", 3, [1], [1]), Topic("steady", 2), Topic("missing", 2)],
        });

        Assert.Equal((short)ErrorCode.None, response.Results[0].ErrorCode);
        Assert.Null(response.Results[0].ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidPartitions, response.Results[1].ErrorCode);
        Assert.Equal("Topic already has 2 partition(s).", response.Results[1].ErrorMessage);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Results[2].ErrorCode);
        Assert.True(context.Topics.TryGetTopic("growing", out var grown));
        Assert.Equal(3, grown.PartitionCount);
    }

    [Fact]
    public async Task ValidateOnlyAndDuplicatesChangeNothing()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 1);
        context.CreateTopic("b", 1);

        var response = await HandleAsync(context, 3, new CreatePartitionsRequest
        {
            Topics = [Topic("a", 4), Topic("b", 2), Topic("b", 3)],
            ValidateOnly = true,
        });

        Assert.Equal(2, response.Results.Count);
        Assert.Equal((short)ErrorCode.None, response.Results[0].ErrorCode);
        Assert.Equal("Duplicate topic name.", response.Results[1].ErrorMessage);
        Assert.All(context.Topics.Topics, topic => Assert.Equal(1, topic.PartitionCount));
    }
}
