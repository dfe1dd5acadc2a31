using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class DeleteTopicsHandlerTests
{
    private static readonly DeleteTopicsHandler Handler = new();

    private static async Task<DeleteTopicsResponse> HandleAsync(MetadataTestContext context, short version, DeleteTopicsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.DeleteTopics, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    private static DeleteTopicsRequest.DeleteTopicState ByName(string name) => new() { Name = name };

    private static DeleteTopicsRequest.DeleteTopicState ById(KafkaUuid id) => new() { Name = null, TopicId = id };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public async Task TopicsAreDeletedByName(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("doomed", 2);
        context.CreateTopic("kept");

        var response = await HandleAsync(context, version, new DeleteTopicsRequest { TopicNames = ["doomed", "ghost"] });

        Assert.Equal(2, response.Responses.Count);
        Assert.Equal("doomed", response.Responses[0].Name);
        Assert.Equal((short)ErrorCode.None, response.Responses[0].ErrorCode);
        Assert.Equal("ghost", response.Responses[1].Name);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Responses[1].ErrorCode);
        Assert.Equal(["kept"], context.Topics.Topics.Select(t => t.Name));
    }

    [Fact]
    public async Task FromV6TopicsAreDeletedByNameOrId()
    {
        await using var context = new MetadataTestContext();
        var byId = context.CreateTopic("by-id");
        var byName = context.CreateTopic("by-name");
        var unknown = KafkaUuid.NewRandom();

        var response = await HandleAsync(context, 6, new DeleteTopicsRequest { Topics = [ById(byId.TopicId), ByName("by-name"), ById(unknown)] });

        Assert.Equal("by-id", response.Responses[0].Name);
        Assert.Equal(byId.TopicId, response.Responses[0].TopicId);
        Assert.Equal((short)ErrorCode.None, response.Responses[0].ErrorCode);
        Assert.Equal(byName.TopicId, response.Responses[1].TopicId);
        Assert.Equal((short)ErrorCode.None, response.Responses[1].ErrorCode);
        Assert.Null(response.Responses[2].Name);
        Assert.Equal((short)ErrorCode.UnknownTopicId, response.Responses[2].ErrorCode);
        Assert.Equal("This server does not host this topic ID.", response.Responses[2].ErrorMessage);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task MalformedAndDuplicateEntriesAreInvalidRequests()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("target");
        var request = new DeleteTopicsRequest
        {
            Topics = [ByName("dup"), ByName("dup"), new DeleteTopicsRequest.DeleteTopicState { Name = "both", TopicId = topic.TopicId }, ById(KafkaUuid.Zero)],
        };

        var response = await HandleAsync(context, 6, request);

        Assert.Equal(3, response.Responses.Count);
        Assert.Equal("Duplicate topic name.", response.Responses[0].ErrorMessage);
        Assert.Equal("You may not specify both topic name and topic id.", response.Responses[1].ErrorMessage);
        Assert.Equal("Neither topic name nor id were specified.", response.Responses[2].ErrorMessage);
        Assert.All(response.Responses, r => Assert.Equal((short)ErrorCode.InvalidRequest, r.ErrorCode));
        Assert.True(context.Topics.TryGetTopic("target", out _));
    }

    [Theory]
    [InlineData(2, ErrorCode.InvalidRequest)]
    [InlineData(3, ErrorCode.TopicDeletionDisabled)]
    [InlineData(6, ErrorCode.TopicDeletionDisabled)]
    public async Task DeletionCanBeDisabled(short version, ErrorCode expected)
    {
        await using var context = new MetadataTestContext(("delete.topic.enable", "false"));
        context.CreateTopic("protected");
        var request = version >= 6 ? new DeleteTopicsRequest { Topics = [ByName("protected")] } : new DeleteTopicsRequest { TopicNames = ["protected"] };

        var result = Assert.Single((await HandleAsync(context, version, request)).Responses);

        Assert.Equal((short)expected, result.ErrorCode);
        Assert.True(context.Topics.TryGetTopic("protected", out _));
    }
}
