using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Metadata;

/// <summary>DescribeAcls, CreateAcls and DeleteAcls without an authorizer: SECURITY_DISABLED, as Kafka answers.</summary>
public sealed class AclHandlersTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task DescribeAclsIsRefusedAsAWhole(short version)
    {
        await using var context = new MetadataTestContext();
        var response = await new DescribeAclsHandler().HandleAsync(context.Context(ApiKey.DescribeAcls, version),
            new DescribeAclsRequest { ResourceTypeFilter = 1, Operation = 1, PermissionType = 1 }, CancellationToken.None);

        var decoded = MetadataTestContext.RoundTrip(response!, version);

        Assert.Equal((short)ErrorCode.SecurityDisabled, decoded.ErrorCode);
        Assert.Equal("No Authorizer is configured on the broker", decoded.ErrorMessage);
        Assert.Empty(decoded.Resources);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryAclCreationIsRefused(short version)
    {
        await using var context = new MetadataTestContext();
        var creation = new CreateAclsRequest.AclCreation
        {
            ResourceType = 2, ResourceName = "orders", Principal = "User:alice", Host = "*", Operation = 3, PermissionType = 3,
        };
        var response = await new CreateAclsHandler().HandleAsync(context.Context(ApiKey.CreateAcls, version),
            new CreateAclsRequest { Creations = [creation, creation] }, CancellationToken.None);

        var decoded = MetadataTestContext.RoundTrip(response!, version);

        Assert.Equal(2, decoded.Results.Count);
        Assert.All(decoded.Results, result =>
        {
            Assert.Equal((short)ErrorCode.SecurityDisabled, result.ErrorCode);
            Assert.Equal("No Authorizer is configured.", result.ErrorMessage);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryAclDeletionFilterIsRefused(short version)
    {
        await using var context = new MetadataTestContext();
        var filter = new DeleteAclsRequest.DeleteAclsFilter { ResourceTypeFilter = 1, Operation = 1, PermissionType = 1 };
        var response = await new DeleteAclsHandler().HandleAsync(context.Context(ApiKey.DeleteAcls, version),
            new DeleteAclsRequest { Filters = [filter, filter, filter] }, CancellationToken.None);

        var decoded = MetadataTestContext.RoundTrip(response!, version);

        Assert.Equal(3, decoded.FilterResults.Count);
        Assert.All(decoded.FilterResults, result =>
        {
            Assert.Equal((short)ErrorCode.SecurityDisabled, result.ErrorCode);
            Assert.Equal("No Authorizer is configured.", result.ErrorMessage);
            Assert.Empty(result.MatchingAcls);
        });
    }
}
