using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Tests.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using static KafkaSharp.Broker.Tests.Groups.GroupTestContext;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>The group handlers: what each version's response carries, and that it encodes at that version.</summary>
public sealed class GroupHandlerTests : IAsyncLifetime
{
    private const string Group = "shipping";
    private GroupTestContext _context = null!;

    public Task InitializeAsync()
    {
        _context = new GroupTestContext();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public void VersionsAreDeclaredNextToTheHandlers()
    {
        var handlers = new ApiHandler[]
        {
            new FindCoordinatorHandler(), new JoinGroupHandler(), new SyncGroupHandler(), new HeartbeatHandler(), new LeaveGroupHandler(),
            new OffsetCommitHandler(), new OffsetFetchHandler(), new ListGroupsHandler(), new DescribeGroupsHandler(),
            new DeleteGroupsHandler(), new OffsetDeleteHandler(),
        };
        Assert.Equal(
            new[] { "FindCoordinator 0-6", "JoinGroup 0-9", "SyncGroup 0-5", "Heartbeat 0-4", "LeaveGroup 0-5", "OffsetCommit 0-9",
                "OffsetFetch 0-9", "ListGroups 0-5", "DescribeGroups 0-6", "DeleteGroups 0-2", "OffsetDelete 0-0" },
            handlers.Select(h => $"{h.ApiKey} {h.Versions}"));
        Assert.All(handlers, h => Assert.Equal(h.Versions, h.AdvertisedVersions));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task FindCoordinatorBeforeBatchingNamesThisNodeAndCreatesTheOffsetsTopic(short version)
    {
        Assert.False(_context.Topics.TryGetTopic(TopicNames.ConsumerOffsets, out _));
        var response = await new FindCoordinatorHandler().HandleAsync(_context.HandlerContext(ApiKey.FindCoordinator, version),
            new FindCoordinatorRequest { Key = Group }, CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, version);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal((1, "localhost", 9092), (response.NodeId, response.Host, response.Port));
        Assert.Equal(version >= 1 ? "NONE" : "", response.ErrorMessage);
        Assert.True(_context.Topics.TryGetTopic(TopicNames.ConsumerOffsets, out var offsetsTopic));
        Assert.Equal(3, offsetsTopic.PartitionCount);
        Assert.True(offsetsTopic.IsInternal);
        Assert.Equal(Storage.CleanupPolicy.Compact, offsetsTopic.Config.CleanupPolicy);
    }

    [Fact]
    public async Task FindCoordinatorForATransactionIsNotAvailable()
    {
        var response = await new FindCoordinatorHandler().HandleAsync(_context.HandlerContext(ApiKey.FindCoordinator, 2),
            new FindCoordinatorRequest { Key = "txn", KeyType = 1 }, CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, 2);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, response.ErrorCode);
        Assert.Equal("The coordinator is not available.", response.ErrorMessage);
        Assert.Equal((-1, "", -1), (response.NodeId, response.Host, response.Port));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public async Task FindCoordinatorAnswersEachKey(short version)
    {
        var handler = new FindCoordinatorHandler();
        var groups = await handler.HandleAsync(_context.HandlerContext(ApiKey.FindCoordinator, version),
            new FindCoordinatorRequest { CoordinatorKeys = ["a", "b"] }, CancellationToken.None);
        groups = BrokerTestContext.WriteAndRead(groups!, version);
        Assert.Equal(new[] { "a", "b" }, groups.Coordinators.Select(c => c.Key));
        Assert.All(groups.Coordinators, c => Assert.Equal(((short)0, 1, "localhost", 9092), (c.ErrorCode, c.NodeId, c.Host, c.Port)));
        var transactions = await handler.HandleAsync(_context.HandlerContext(ApiKey.FindCoordinator, version),
            new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = ["t"] }, CancellationToken.None);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, Assert.Single(transactions!.Coordinators).ErrorCode);
        var shares = await handler.HandleAsync(_context.HandlerContext(ApiKey.FindCoordinator, version),
            new FindCoordinatorRequest { KeyType = 2, CoordinatorKeys = ["s:x:0"] }, CancellationToken.None);
        Assert.Equal((short)ErrorCode.InvalidRequest, Assert.Single(shares!.Coordinators).ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(9)]
    public async Task JoinGroupEncodesAtEveryVersion(short version)
    {
        var handler = new JoinGroupHandler();
        var request = JoinRequest(Group);
        if (version >= 4)
        {
            var first = await Bounded(handler.HandleAsync(_context.HandlerContext(ApiKey.JoinGroup, version), request, CancellationToken.None).AsTask());
            first = BrokerTestContext.WriteAndRead(first!, version);
            Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
            Assert.Equal(version >= 7 ? null : "", first.ProtocolName);
            request.MemberId = first.MemberId;
        }
        var join = handler.HandleAsync(_context.HandlerContext(ApiKey.JoinGroup, version), request, CancellationToken.None).AsTask();
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = BrokerTestContext.WriteAndRead((await Bounded(join))!, version);
        Assert.Equal((1, "range", joined.MemberId), (joined.GenerationId, joined.ProtocolName, joined.Leader));
        Assert.Equal(version >= 7 ? "consumer" : null, joined.ProtocolType);
        Assert.Equal(Subscription(Topic), Assert.Single(joined.Members).Metadata);
    }

    [Fact]
    public async Task JoinGroupVersion0UsesTheSessionTimeoutAsRebalanceTimeout()
    {
        var join = new JoinGroupHandler().HandleAsync(_context.HandlerContext(ApiKey.JoinGroup, 0),
            JoinRequest(Group, rebalanceTimeoutMs: -1), CancellationToken.None).AsTask();
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = (await Bounded(join))!;
        await Bounded(_context.SyncAsync(Group, joined.MemberId, 1));
        var newcomer = _context.JoinAsync(JoinRequest(Group), version: 0);
        await _context.DescribeAsync(Group);
        // The session timeout (10 s) bounds the rebalance: the silent first member is dropped then.
        await _context.AdvanceAsync(Group, SessionTimeoutMs - 1);
        Assert.False(newcomer.IsCompleted);
        await _context.AdvanceAsync(Group, 2);
        var response = await Bounded(newcomer);
        Assert.Equal(2, response.GenerationId);
        Assert.Equal(response.MemberId, Assert.Single(response.Members).MemberId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task SyncGroupEncodesAtEveryVersion(short version)
    {
        var join = _context.JoinAsync(JoinRequest(Group), version: 3);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        var request = new SyncGroupRequest
        {
            GroupId = Group,
            MemberId = joined.MemberId,
            GenerationId = 1,
            ProtocolType = version >= 5 ? "consumer" : null,
            ProtocolName = version >= 5 ? "range" : null,
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = [3] }],
        };
        var response = await new SyncGroupHandler().HandleAsync(_context.HandlerContext(ApiKey.SyncGroup, version), request, CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, version);
        Assert.Equal(new byte[] { 3 }, response.Assignment);
        Assert.Equal(version >= 5 ? "range" : null, response.ProtocolName);
    }

    [Fact]
    public async Task SyncGroupVersion5NeedsTheProtocol()
    {
        var response = await new SyncGroupHandler().HandleAsync(_context.HandlerContext(ApiKey.SyncGroup, 5),
            new SyncGroupRequest { GroupId = Group, MemberId = "m", ProtocolType = "consumer" }, CancellationToken.None);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, response!.ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task LeaveGroupEncodesAtEveryVersion(short version)
    {
        var join = _context.JoinAsync(JoinRequest(Group), version: 3);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        var request = version >= 3
            ? new LeaveGroupRequest { GroupId = Group, Members = [new() { MemberId = joined.MemberId }, new() { MemberId = "stranger" }] }
            : new LeaveGroupRequest { GroupId = Group, MemberId = joined.MemberId };
        var response = await new LeaveGroupHandler().HandleAsync(_context.HandlerContext(ApiKey.LeaveGroup, version), request, CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, version);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        if (version >= 3)
        {
            Assert.Equal(new[] { (short)ErrorCode.None, (short)ErrorCode.UnknownMemberId }, response.Members.Select(m => m.ErrorCode));
        }
        var unknown = await new LeaveGroupHandler().HandleAsync(_context.HandlerContext(ApiKey.LeaveGroup, version),
            version >= 3 ? new LeaveGroupRequest { GroupId = Group, Members = [new() { MemberId = joined.MemberId }] }
                : new LeaveGroupRequest { GroupId = Group, MemberId = joined.MemberId }, CancellationToken.None);
        Assert.Equal((short)ErrorCode.UnknownMemberId, version >= 3 ? unknown!.Members[0].ErrorCode : unknown!.ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task OffsetCommitAndFetchEncodeAtEveryVersion(short version)
    {
        var commit = CommitRequest(Group, -1, "", (Topic, 1, 17, "note"));
        var committed = await new OffsetCommitHandler().HandleAsync(_context.HandlerContext(ApiKey.OffsetCommit, version), commit, CancellationToken.None);
        committed = BrokerTestContext.WriteAndRead(committed!, version);
        Assert.Equal((short)ErrorCode.None, committed.Topics[0].Partitions[0].ErrorCode);

        var fetch = version >= 8
            ? new OffsetFetchRequest { Groups = [new() { GroupId = Group, Topics = [new() { Name = Topic, PartitionIndexes = [0, 1] }] }, new() { GroupId = "other", Topics = null }] }
            : new OffsetFetchRequest { GroupId = Group, Topics = [new() { Name = Topic, PartitionIndexes = [0, 1] }] };
        var fetched = await new OffsetFetchHandler().HandleAsync(_context.HandlerContext(ApiKey.OffsetFetch, version), fetch, CancellationToken.None);
        fetched = BrokerTestContext.WriteAndRead(fetched!, version);
        if (version >= 8)
        {
            Assert.Equal(new[] { Group, "other" }, fetched.Groups.Select(g => g.GroupId));
            var partitions = fetched.Groups[0].Topics[0].Partitions;
            Assert.Equal(new (long, string?)[] { (-1L, ""), (17L, "note") }, partitions.Select(p => (p.CommittedOffset, p.Metadata)));
            Assert.Empty(fetched.Groups[1].Topics);
        }
        else
        {
            var partitions = fetched.Topics[0].Partitions;
            Assert.Equal(new (long, string?)[] { (-1L, ""), (17L, "note") }, partitions.Select(p => (p.CommittedOffset, p.Metadata)));
        }
    }

    [Fact]
    public async Task OffsetFetchBeforeVersion2PutsGroupErrorsOnEveryPartition()
    {
        await _context.RestartAsync(startLoading: false);
        var fetch = new OffsetFetchRequest { GroupId = Group, Topics = [new() { Name = Topic, PartitionIndexes = [0, 1] }] };
        var fetched = await new OffsetFetchHandler().HandleAsync(_context.HandlerContext(ApiKey.OffsetFetch, 1), fetch, CancellationToken.None);
        fetched = BrokerTestContext.WriteAndRead(fetched!, 1);
        Assert.All(fetched.Topics[0].Partitions, p => Assert.Equal(((short)ErrorCode.CoordinatorLoadInProgress, -1L), (p.ErrorCode, p.CommittedOffset)));
        var v2 = await new OffsetFetchHandler().HandleAsync(_context.HandlerContext(ApiKey.OffsetFetch, 2), fetch, CancellationToken.None);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, v2!.ErrorCode);
        _context.Coordinator.StartLoading();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task DescribeGroupsEncodesAtEveryVersion(short version)
    {
        var join = _context.JoinAsync(JoinRequest(Group, groupInstanceId: "i-1"), version: 5);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        await Bounded(_context.SyncAsync(Group, joined.MemberId, 1, [new() { MemberId = joined.MemberId, Assignment = [4] }], "i-1"));
        var request = new DescribeGroupsRequest { Groups = [Group, "nobody"], IncludeAuthorizedOperations = version >= 3 };
        var response = await new DescribeGroupsHandler().HandleAsync(_context.HandlerContext(ApiKey.DescribeGroups, version), request, CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, version);
        var described = response.Groups[0];
        Assert.Equal(("Stable", "consumer", "range"), (described.GroupState, described.ProtocolType, described.ProtocolData));
        var member = Assert.Single(described.Members);
        Assert.Equal((joined.MemberId, "client", "/127.0.0.1"), (member.MemberId, member.ClientId, member.ClientHost));
        Assert.Equal(version >= 4 ? "i-1" : null, member.GroupInstanceId);
        Assert.Equal(new byte[] { 4 }, member.MemberAssignment);
        Assert.Equal(version >= 3 ? 3400 : int.MinValue, described.AuthorizedOperations);
        var missing = response.Groups[1];
        Assert.Equal("Dead", missing.GroupState);
        Assert.Equal(version >= 6 ? (short)ErrorCode.GroupIdNotFound : (short)ErrorCode.None, missing.ErrorCode);
        Assert.Equal(version >= 6 ? "Group nobody not found." : null, missing.ErrorMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ListGroupsEncodesAtEveryVersion(short version)
    {
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 1, null)));
        var response = await new ListGroupsHandler().HandleAsync(_context.HandlerContext(ApiKey.ListGroups, version),
            new ListGroupsRequest(), CancellationToken.None);
        response = BrokerTestContext.WriteAndRead(response!, version);
        var listed = Assert.Single(response.Groups);
        Assert.Equal(Group, listed.GroupId);
        Assert.Equal(version >= 4 ? "Empty" : "", listed.GroupState);
        Assert.Equal(version >= 5 ? "classic" : "", listed.GroupType);
    }

    [Fact]
    public async Task DeleteGroupsAndOffsetDeleteEncode()
    {
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 1, null), (Topic, 1, 1, null)));
        var deletedOffsets = await new OffsetDeleteHandler().HandleAsync(_context.HandlerContext(ApiKey.OffsetDelete, 0),
            new OffsetDeleteRequest { GroupId = Group, Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 1 }] }] },
            CancellationToken.None);
        deletedOffsets = BrokerTestContext.WriteAndRead(deletedOffsets!, 0);
        Assert.Equal((short)ErrorCode.None, deletedOffsets.Topics[0].Partitions[0].ErrorCode);
        var deleted = await new DeleteGroupsHandler().HandleAsync(_context.HandlerContext(ApiKey.DeleteGroups, 2),
            new DeleteGroupsRequest { GroupsNames = [Group, "nobody"] }, CancellationToken.None);
        deleted = BrokerTestContext.WriteAndRead(deleted!, 2);
        Assert.Equal(new[] { (Group, (short)ErrorCode.None), ("nobody", (short)ErrorCode.GroupIdNotFound) },
            deleted.Results.Select(r => (r.GroupId, r.ErrorCode)));
    }
}
