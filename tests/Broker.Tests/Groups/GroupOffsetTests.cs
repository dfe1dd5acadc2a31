using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using static KafkaSharp.Broker.Tests.Groups.GroupTestContext;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups, ListGroups and offset expiry through the coordinator.</summary>
public sealed class GroupOffsetTests : IAsyncLifetime
{
    private const string Group = "analytics";
    private GroupTestContext _context = null!;

    public Task InitializeAsync()
    {
        _context = new GroupTestContext(("offsets.retention.minutes", "1"), ("offsets.retention.check.interval.ms", "1000"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private static short[] Errors(OffsetCommitResponse response) =>
        response.Topics.SelectMany(t => t.Partitions).Select(p => p.ErrorCode).ToArray();

    /// <summary>One member, Stable at generation 1, subscribed to <paramref name="topics"/>; returns its member id.</summary>
    private async Task<string> StableMemberAsync(params string[] topics)
    {
        var join = await _context.StartJoinAsync(Group, RangeProtocol(topics));
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        await Bounded(_context.SyncAsync(Group, joined.MemberId, 1,
            [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = [1] }]));
        return joined.MemberId;
    }

    [Fact]
    public async Task CommitWithoutGenerationCreatesAGroupThatOnlyStoresOffsets()
    {
        var response = await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 42, "checkpoint \u00e9"), (Topic, 2, 7, null)));
        Assert.All(Errors(response), e => Assert.Equal((short)ErrorCode.None, e));
        var offsets = await _context.FetchAsync(Group, topics: (Topic, [0, 1, 2]));
        Assert.Equal(42, offsets[(Topic, 0)].CommittedOffset);
        Assert.Equal("checkpoint \u00e9", offsets[(Topic, 0)].Metadata);
        Assert.Equal(-1, offsets[(Topic, 1)].CommittedOffset);
        Assert.Equal("", offsets[(Topic, 1)].Metadata);
        Assert.Equal(7, offsets[(Topic, 2)].CommittedOffset);
        Assert.Equal("", offsets[(Topic, 2)].Metadata);
        var all = await _context.FetchAsync(Group);
        Assert.Equal(new[] { (Topic, 0), (Topic, 2) }, all.Keys.Order());
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Empty", described.GroupState);
        Assert.Equal("", described.ProtocolType);
    }

    [Fact]
    public async Task LeaderEpochAndLaterCommitsWin()
    {
        var request = CommitRequest(Group, -1, "", (Topic, 1, 10, "a"));
        request.Topics[0].Partitions[0].CommittedLeaderEpoch = 4;
        await _context.CommitAsync(request);
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 1, 11, "b")));
        var offset = (await _context.FetchAsync(Group, requireStable: true, (Topic, [1])))[(Topic, 1)];
        Assert.Equal(11, offset.CommittedOffset);
        Assert.Equal("b", offset.Metadata);
        Assert.Equal(-1, offset.CommittedLeaderEpoch);
    }

    [Fact]
    public async Task MetadataLongerThanTheLimitIsRefusedPerPartition()
    {
        var response = await _context.CommitAsync(CommitRequest(Group, -1, "",
            (Topic, 0, 1, new string('x', 4096)), (Topic, 1, 1, new string('x', 4097))));
        Assert.Equal(new[] { (short)ErrorCode.None, (short)ErrorCode.OffsetMetadataTooLarge }, Errors(response));
        var offsets = await _context.FetchAsync(Group, topics: (Topic, [0, 1]));
        Assert.Equal(1, offsets[(Topic, 0)].CommittedOffset);
        Assert.Equal(-1, offsets[(Topic, 1)].CommittedOffset);
    }

    [Fact]
    public async Task UnknownTopicsAndPartitionsAreRefused()
    {
        var response = await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 5, null), (Topic, 3, 5, null), ("missing", 0, 5, null)));
        Assert.Equal(new[] { (short)ErrorCode.None, (short)ErrorCode.UnknownTopicOrPartition, (short)ErrorCode.UnknownTopicOrPartition }, Errors(response));
        Assert.Equal(5, (await _context.FetchAsync(Group))[(Topic, 0)].CommittedOffset);
    }

    [Fact]
    public async Task CommitWithAGenerationToAGroupThatDoesNotExist()
    {
        var request = CommitRequest("nobody", 3, "someone", (Topic, 0, 5, null));
        Assert.Equal((short)ErrorCode.IllegalGeneration, Errors(await _context.CommitAsync(request, version: 8))[0]);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, Errors(await _context.CommitAsync(request, version: 9))[0]);
        Assert.Equal(0, _context.Coordinator.GroupCount);
    }

    [Fact]
    public async Task MembersCommitInTheirGeneration()
    {
        string memberId = await StableMemberAsync(Topic);
        Assert.Equal((short)ErrorCode.None, Errors(await _context.CommitAsync(CommitRequest(Group, 1, memberId, (Topic, 0, 3, null))))[0]);
        Assert.Equal((short)ErrorCode.IllegalGeneration, Errors(await _context.CommitAsync(CommitRequest(Group, 2, memberId, (Topic, 0, 4, null))))[0]);
        Assert.Equal((short)ErrorCode.UnknownMemberId, Errors(await _context.CommitAsync(CommitRequest(Group, 1, "stranger", (Topic, 0, 4, null))))[0]);
        // Without a member id, only an empty group takes commits.
        Assert.Equal((short)ErrorCode.UnknownMemberId, Errors(await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 4, null))))[0]);
        Assert.Equal(3, (await _context.FetchAsync(Group))[(Topic, 0)].CommittedOffset);
    }

    [Fact]
    public async Task CommitWhileTheAssignmentIsNotOutIsARebalanceInProgress()
    {
        var join = await _context.StartJoinAsync(Group);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        Assert.Equal((short)ErrorCode.RebalanceInProgress,
            Errors(await _context.CommitAsync(CommitRequest(Group, 1, joined.MemberId, (Topic, 0, 4, null))))[0]);
    }

    [Fact]
    public async Task CommitsKeepTheMemberAlive()
    {
        string memberId = await StableMemberAsync(Topic);
        for (int i = 0; i < 5; i++)
        {
            await _context.AdvanceAsync(Group, SessionTimeoutMs / 2);
            Assert.Equal((short)ErrorCode.None, Errors(await _context.CommitAsync(CommitRequest(Group, 1, memberId, (Topic, 0, i, null))))[0]);
        }
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
    }

    [Fact]
    public async Task OffsetDeleteSparesTopicsTheGroupConsumes()
    {
        string memberId = await StableMemberAsync(Topic);
        _context.Topics.CreateTopic(new NewTopic("archive", 1, 1), validateOnly: false);
        await _context.CommitAsync(CommitRequest(Group, 1, memberId, (Topic, 0, 3, null), ("archive", 0, 9, null)));
        var response = await Bounded(_context.Coordinator.DeleteOffsetsAsync(new OffsetDeleteRequest
        {
            GroupId = Group,
            Topics =
            [
                new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = Topic, Partitions = [new() { PartitionIndex = 0 }] },
                new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "archive", Partitions = [new() { PartitionIndex = 0 }] },
                new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "missing", Partitions = [new() { PartitionIndex = 0 }] },
            ],
        }, CancellationToken.None));
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        var errors = response.Topics.ToDictionary(t => t.Name, t => Assert.Single(t.Partitions).ErrorCode);
        Assert.Equal((short)ErrorCode.GroupSubscribedToTopic, errors[Topic]);
        Assert.Equal((short)ErrorCode.None, errors["archive"]);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, errors["missing"]);
        var offsets = await _context.FetchAsync(Group);
        Assert.Equal(new[] { (Topic, 0) }, offsets.Keys);
    }

    [Fact]
    public async Task OffsetDeleteOfAGroupThatDoesNotExist()
    {
        var response = await Bounded(_context.Coordinator.DeleteOffsetsAsync(new OffsetDeleteRequest { GroupId = "nobody" }, CancellationToken.None));
        Assert.Equal((short)ErrorCode.GroupIdNotFound, response.ErrorCode);
        Assert.Empty(response.Topics);
    }

    [Fact]
    public async Task OnlyEmptyGroupsCanBeDeleted()
    {
        string memberId = await StableMemberAsync(Topic);
        await _context.CommitAsync(CommitRequest(Group, 1, memberId, (Topic, 0, 3, null)));
        Assert.Equal(ErrorCode.NonEmptyGroup, await Bounded(_context.Coordinator.DeleteGroupAsync(Group, CancellationToken.None)));
        Assert.Equal(ErrorCode.GroupIdNotFound, await Bounded(_context.Coordinator.DeleteGroupAsync("nobody", CancellationToken.None)));
        await Bounded(_context.Coordinator.LeaveGroupAsync(Group, [new LeaveGroupRequest.MemberIdentity { MemberId = memberId }], CancellationToken.None));
        Assert.Equal(ErrorCode.None, await Bounded(_context.Coordinator.DeleteGroupAsync(Group, CancellationToken.None)));
        Assert.Equal("Dead", (await _context.DescribeAsync(Group)).GroupState);
        Assert.Empty(await _context.FetchAsync(Group));
        Assert.Equal(-1, (await _context.FetchAsync(Group, topics: (Topic, [0])))[(Topic, 0)].CommittedOffset);
    }

    [Fact]
    public async Task ListGroupsFiltersByStateAndType()
    {
        await StableMemberAsync(Topic);
        await _context.CommitAsync(CommitRequest("offsets-only", -1, "", (Topic, 0, 1, null)));
        var all = _context.Coordinator.ListGroups([], []);
        Assert.Equal((short)ErrorCode.None, all.ErrorCode);
        Assert.Equal(new[] { "analytics", "offsets-only" }, all.Groups.Select(g => g.GroupId).Order());
        var analytics = all.Groups.Single(g => g.GroupId == Group);
        Assert.Equal(("consumer", "Stable", "classic"), (analytics.ProtocolType, analytics.GroupState, analytics.GroupType));
        Assert.Equal(new[] { "offsets-only" }, _context.Coordinator.ListGroups(["empty"], []).Groups.Select(g => g.GroupId));
        Assert.Equal(new[] { "analytics" }, _context.Coordinator.ListGroups([" STABLE "], ["Classic"]).Groups.Select(g => g.GroupId));
        Assert.Empty(_context.Coordinator.ListGroups([], ["consumer"]).Groups);
    }

    [Fact]
    public async Task OffsetsOfAnEmptyGroupExpireAfterTheRetentionAndTheGroupGoes()
    {
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 1, null)));
        await _context.AdvanceAsync(Group, 59_000);
        Assert.Single(await _context.FetchAsync(Group));
        await _context.AdvanceAsync(Group, 2_000);
        await _context.AdvanceAsync(Group, 0);
        Assert.Empty(await _context.FetchAsync(Group));
        Assert.Equal("Dead", (await _context.DescribeAsync(Group)).GroupState);
        Assert.Equal(0, _context.Coordinator.GroupCount);
    }

    [Fact]
    public async Task StableConsumerGroupKeepsOffsetsOfSubscribedTopics()
    {
        string memberId = await StableMemberAsync(Topic);
        _context.Topics.CreateTopic(new NewTopic("archive", 1, 1), validateOnly: false);
        await _context.CommitAsync(CommitRequest(Group, 1, memberId, (Topic, 0, 3, null), ("archive", 0, 9, null)));
        for (int i = 0; i < 7; i++)
        {
            await _context.AdvanceAsync(Group, 9_000);
            Assert.Equal((short)ErrorCode.None, (await Bounded(_context.Coordinator.HeartbeatAsync(
                new HeartbeatRequest { GroupId = Group, MemberId = memberId, GenerationId = 1 }, CancellationToken.None))).ErrorCode);
        }
        Assert.Equal(new[] { (Topic, 0) }, (await _context.FetchAsync(Group)).Keys);
    }
}
