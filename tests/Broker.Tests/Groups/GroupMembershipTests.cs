using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using static KafkaSharp.Broker.Tests.Groups.GroupTestContext;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>JoinGroup, SyncGroup, Heartbeat and LeaveGroup through the coordinator: rebalances, sessions, static members, errors.</summary>
public sealed class GroupMembershipTests : IAsyncLifetime
{
    private const string Group = "payments";
    private GroupTestContext _context = null!;

    public Task InitializeAsync()
    {
        _context = new GroupTestContext();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private Task AdvanceAsync(int milliseconds) => _context.AdvanceAsync(Group, milliseconds);

    /// <summary>Members join together; the initial delay passes; returns their JoinGroup responses in join order.</summary>
    private async Task<JoinGroupResponse[]> FormGroupAsync(int members, int sessionTimeoutMs = SessionTimeoutMs)
    {
        var joins = new Task<JoinGroupResponse>[members];
        for (int i = 0; i < members; i++)
        {
            joins[i] = await _context.StartJoinAsync(Group, sessionTimeoutMs: sessionTimeoutMs);
        }
        // Each member that joined during the initial delay extends it by one more delay.
        for (int i = 0; i < members && !joins[^1].IsCompleted; i++)
        {
            await AdvanceAsync(InitialDelayMs);
        }
        return await Task.WhenAll(joins).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static List<SyncGroupRequest.SyncGroupRequestAssignment> Assign(JoinGroupResponse leader)
    {
        var assignments = new List<SyncGroupRequest.SyncGroupRequestAssignment>();
        foreach (var member in leader.Members)
        {
            assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member.MemberId, Assignment = System.Text.Encoding.UTF8.GetBytes("for " + member.MemberId) });
        }
        return assignments;
    }

    /// <summary>Forms a Stable group: joins, the leader assigns "for &lt;member id&gt;", everyone syncs.</summary>
    private async Task<JoinGroupResponse[]> FormStableGroupAsync(int members)
    {
        var joined = await FormGroupAsync(members);
        var syncs = new List<Task<SyncGroupResponse>>();
        foreach (var member in joined)
        {
            bool isLeader = member.MemberId == member.Leader;
            syncs.Add(_context.SyncAsync(Group, member.MemberId, member.GenerationId, isLeader ? Assign(member) : null));
        }
        var synced = await Task.WhenAll(syncs).WaitAsync(TimeSpan.FromSeconds(10));
        for (int i = 0; i < members; i++)
        {
            Assert.Equal((short)ErrorCode.None, synced[i].ErrorCode);
            Assert.Equal("for " + joined[i].MemberId, System.Text.Encoding.UTF8.GetString(synced[i].Assignment));
        }
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
        return joined;
    }

    [Fact]
    public async Task NewDynamicMemberIsGivenAMemberIdFirst()
    {
        var response = await Bounded(_context.JoinAsync(JoinRequest(Group)));
        Assert.Equal((short)ErrorCode.MemberIdRequired, response.ErrorCode);
        Assert.Matches("^client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", response.MemberId);
        Assert.Equal(-1, response.GenerationId);
    }

    [Fact]
    public async Task BeforeVersion4AMemberJoinsAtOnce()
    {
        var join = _context.JoinAsync(JoinRequest(Group), version: 3);
        await AdvanceAsync(InitialDelayMs);
        var response = await Bounded(join);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(1, response.GenerationId);
        Assert.Equal(response.MemberId, response.Leader);
    }

    [Fact]
    public async Task ThreeMembersFormOneGenerationAndGetTheLeadersAssignment()
    {
        var joined = await FormGroupAsync(3);
        Assert.All(joined, r => Assert.Equal((short)ErrorCode.None, r.ErrorCode));
        Assert.All(joined, r => Assert.Equal(1, r.GenerationId));
        Assert.All(joined, r => Assert.Equal("range", r.ProtocolName));
        Assert.Single(joined.Select(r => r.Leader).Distinct());
        var leader = joined.Single(r => r.MemberId == r.Leader);
        Assert.Equal(joined.Select(r => r.MemberId).Order(), leader.Members.Select(m => m.MemberId).Order());
        Assert.All(joined.Where(r => r != leader), r => Assert.Empty(r.Members));

        // Followers wait in SyncGroup until the leader's assignment is stored.
        var followers = joined.Where(r => r != leader).Select(r => _context.SyncAsync(Group, r.MemberId, 1)).ToList();
        Assert.Equal("CompletingRebalance", (await _context.DescribeAsync(Group)).GroupState);
        Assert.All(followers, f => Assert.False(f.IsCompleted));
        var leaderSync = await Bounded(_context.SyncAsync(Group, leader.MemberId, 1, Assign(leader)));
        Assert.Equal("for " + leader.MemberId, System.Text.Encoding.UTF8.GetString(leaderSync.Assignment));
        Assert.Equal("consumer", leaderSync.ProtocolType);
        foreach (var (follower, join) in followers.Zip(joined.Where(r => r != leader)))
        {
            Assert.Equal("for " + join.MemberId, System.Text.Encoding.UTF8.GetString((await Bounded(follower)).Assignment));
        }
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("range", described.ProtocolData);
        Assert.Equal(3, described.Members.Count);
        Assert.All(described.Members, m => Assert.Equal("for " + m.MemberId, System.Text.Encoding.UTF8.GetString(m.MemberAssignment)));
    }

    [Fact]
    public async Task ProtocolIsTheOneAllSupportThatMostPrefer()
    {
        var first = await _context.StartJoinAsync(Group, Protocols(("roundrobin", [1]), ("range", [2])));
        var second = await _context.StartJoinAsync(Group, Protocols(("sticky", [3]), ("range", [4]), ("roundrobin", [5])));
        var third = await _context.StartJoinAsync(Group, Protocols(("roundrobin", [6]), ("range", [7])));
        await AdvanceAsync(InitialDelayMs);
        await AdvanceAsync(InitialDelayMs);
        await AdvanceAsync(InitialDelayMs);
        var responses = await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(responses, r => Assert.Equal("roundrobin", r.ProtocolName));
        var leader = responses.Single(r => r.MemberId == r.Leader);
        Assert.Equal(new byte[] { 5 }, leader.Members.Single(m => m.MemberId == responses[1].MemberId).Metadata);
    }

    [Fact]
    public async Task NewMemberMakesTheStableGroupRebalance()
    {
        var members = await FormStableGroupAsync(2);
        var newcomer = await _context.StartJoinAsync(Group);
        Assert.Equal("PreparingRebalance", (await _context.DescribeAsync(Group)).GroupState);
        Assert.Equal(ErrorCode.RebalanceInProgress, await _context.HeartbeatAsync(Group, members[0].MemberId, 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, await _context.HeartbeatAsync(Group, members[1].MemberId, 1));
        // Once every known member has rejoined, the join phase ends without waiting for the rebalance timeout.
        var rejoins = members.Select(m => _context.JoinAsync(JoinRequest(Group, m.MemberId))).ToList();
        var all = await Task.WhenAll(rejoins.Append(newcomer)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(all, r => Assert.Equal(2, r.GenerationId));
        Assert.Equal(3, all.Single(r => r.MemberId == r.Leader).Members.Count);
        Assert.Equal(members[0].Leader, all[0].Leader);
    }

    [Fact]
    public async Task FollowerRejoiningWithUnchangedMetadataKeepsTheGeneration()
    {
        var members = await FormStableGroupAsync(2);
        var follower = members.Single(m => m.MemberId != m.Leader);
        var rejoin = await Bounded(_context.JoinAsync(JoinRequest(Group, follower.MemberId)));
        Assert.Equal((short)ErrorCode.None, rejoin.ErrorCode);
        Assert.Equal(1, rejoin.GenerationId);
        Assert.Empty(rejoin.Members);
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
        var sync = await Bounded(_context.SyncAsync(Group, follower.MemberId, 1));
        Assert.Equal("for " + follower.MemberId, System.Text.Encoding.UTF8.GetString(sync.Assignment));
    }

    [Fact]
    public async Task FollowerWithNewMetadataOrTheLeaderRejoiningStartsARebalance()
    {
        var members = await FormStableGroupAsync(2);
        var follower = members.Single(m => m.MemberId != m.Leader);
        var leader = members.Single(m => m.MemberId == m.Leader);
        var changed = _context.JoinAsync(JoinRequest(Group, follower.MemberId, protocols: RangeProtocol(Topic, "refunds")));
        Assert.Equal("PreparingRebalance", (await _context.DescribeAsync(Group)).GroupState);
        var leaderRejoin = _context.JoinAsync(JoinRequest(Group, leader.MemberId));
        var responses = await Task.WhenAll(changed, leaderRejoin).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(responses, r => Assert.Equal(2, r.GenerationId));

        await Task.WhenAll(_context.SyncAsync(Group, follower.MemberId, 2), _context.SyncAsync(Group, leader.MemberId, 2, Assign(responses[1])))
            .WaitAsync(TimeSpan.FromSeconds(10));
        var leaderAgain = _context.JoinAsync(JoinRequest(Group, leader.MemberId));
        Assert.Equal("PreparingRebalance", (await _context.DescribeAsync(Group)).GroupState);
        Assert.Equal(ErrorCode.RebalanceInProgress, await _context.HeartbeatAsync(Group, follower.MemberId, 2));
        await _context.JoinAsync(JoinRequest(Group, follower.MemberId, protocols: RangeProtocol(Topic, "refunds")));
        Assert.Equal(3, (await Bounded(leaderAgain)).GenerationId);
    }

    [Fact]
    public async Task MemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout()
    {
        var members = await FormStableGroupAsync(2);
        var (alive, silent) = (members[0], members[1]);
        for (int elapsed = 0; elapsed < SessionTimeoutMs - 3_000; elapsed += 3_000)
        {
            await AdvanceAsync(3_000);
            Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, alive.MemberId, 1));
        }
        Assert.Equal(2, (await _context.DescribeAsync(Group)).Members.Count);
        await AdvanceAsync(3_001);
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.Equal(alive.MemberId, Assert.Single(described.Members).MemberId);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync(Group, silent.MemberId, 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, await _context.HeartbeatAsync(Group, alive.MemberId, 1));
        var rejoined = await Bounded(_context.JoinAsync(JoinRequest(Group, alive.MemberId)));
        Assert.Equal(2, rejoined.GenerationId);
        Assert.Equal(alive.MemberId, rejoined.Leader);
    }

    [Fact]
    public async Task GroupWhoseMembersAllExpireBecomesEmpty()
    {
        await FormStableGroupAsync(1);
        await AdvanceAsync(SessionTimeoutMs + 1);
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Empty", described.GroupState);
        Assert.Empty(described.Members);
    }

    [Fact]
    public async Task MemberThatDoesNotRejoinIsDroppedAtTheRebalanceTimeout()
    {
        var members = await FormStableGroupAsync(2);
        var leader = members.Single(m => m.MemberId == m.Leader);
        var follower = members.Single(m => m.MemberId != m.Leader);
        var leaderRejoin = _context.JoinAsync(JoinRequest(Group, leader.MemberId));
        // The follower keeps heartbeating but never rejoins.
        for (int elapsed = 0; elapsed < RebalanceTimeoutMs - 3_000; elapsed += 3_000)
        {
            await AdvanceAsync(3_000);
            Assert.Equal(ErrorCode.RebalanceInProgress, await _context.HeartbeatAsync(Group, follower.MemberId, 1));
            Assert.False(leaderRejoin.IsCompleted);
        }
        await AdvanceAsync(3_001);
        var response = await Bounded(leaderRejoin);
        Assert.Equal(2, response.GenerationId);
        Assert.Equal(leader.MemberId, Assert.Single(response.Members).MemberId);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync(Group, follower.MemberId, 1));
    }

    [Fact]
    public async Task MembersThatDoNotSyncAreRemovedAfterTheRebalanceTimeout()
    {
        // Sessions longer than the rebalance timeout, so it is the missing SyncGroup that removes the member.
        var joined = await FormGroupAsync(2, sessionTimeoutMs: 2 * RebalanceTimeoutMs);
        var leader = joined.Single(m => m.MemberId == m.Leader);
        var follower = joined.Single(m => m.MemberId != m.Leader);
        await Bounded(_context.SyncAsync(Group, leader.MemberId, 1, Assign(leader)));
        await AdvanceAsync(RebalanceTimeoutMs + 1);
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.Equal(leader.MemberId, Assert.Single(described.Members).MemberId);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync(Group, follower.MemberId, 1));
    }

    [Fact]
    public async Task StaticMemberRestartingIsGivenANewIdWithoutARebalance()
    {
        var first = _context.JoinAsync(JoinRequest(Group, groupInstanceId: "instance-a"));
        var second = _context.JoinAsync(JoinRequest(Group, groupInstanceId: "instance-b"));
        await AdvanceAsync(InitialDelayMs);
        await AdvanceAsync(InitialDelayMs);
        var joined = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("instance-a-", joined[0].MemberId);
        var leader = joined.Single(r => r.MemberId == r.Leader);
        await Task.WhenAll(
            _context.SyncAsync(Group, joined[0].MemberId, 1, leader == joined[0] ? Assign(leader) : null, "instance-a"),
            _context.SyncAsync(Group, joined[1].MemberId, 1, leader == joined[1] ? Assign(leader) : null, "instance-b")).WaitAsync(TimeSpan.FromSeconds(10));

        // instance-b restarts: it joins without its member id, within its session.
        var restarted = await Bounded(_context.JoinAsync(JoinRequest(Group, groupInstanceId: "instance-b"), version: 5));
        Assert.Equal((short)ErrorCode.None, restarted.ErrorCode);
        Assert.StartsWith("instance-b-", restarted.MemberId);
        Assert.NotEqual(joined[1].MemberId, restarted.MemberId);
        Assert.Equal(1, restarted.GenerationId);
        Assert.Empty(restarted.Members);
        // Before v9 the old leader id is returned, so the restarted member never assigns.
        Assert.Equal(leader == joined[1] ? joined[1].MemberId : joined[0].MemberId, restarted.Leader);
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
        var sync = await Bounded(_context.SyncAsync(Group, restarted.MemberId, 1, groupInstanceId: "instance-b"));
        Assert.Equal("for " + joined[1].MemberId, System.Text.Encoding.UTF8.GetString(sync.Assignment));
        Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, joined[0].MemberId, 1, "instance-a"));
        // The stale member id of instance-b is fenced.
        Assert.Equal(ErrorCode.FencedInstanceId, await _context.HeartbeatAsync(Group, joined[1].MemberId, 1, "instance-b"));
    }

    [Fact]
    public async Task StaticLeaderRejoiningAtVersion9IsToldToSkipTheAssignment()
    {
        var join = _context.JoinAsync(JoinRequest(Group, groupInstanceId: "instance-a"));
        await AdvanceAsync(InitialDelayMs);
        var joined = await Bounded(join);
        await Bounded(_context.SyncAsync(Group, joined.MemberId, 1, Assign(joined), "instance-a"));
        var restarted = await Bounded(_context.JoinAsync(JoinRequest(Group, groupInstanceId: "instance-a"), version: 9));
        Assert.True(restarted.SkipAssignment);
        Assert.Equal(restarted.MemberId, restarted.Leader);
        Assert.Single(restarted.Members);
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
    }

    [Fact]
    public async Task LeaveGroupRemovesMembersByIdOrInstanceId()
    {
        var members = await FormStableGroupAsync(2);
        var response = await Bounded(_context.Coordinator.LeaveGroupAsync(Group,
        [
            new LeaveGroupRequest.MemberIdentity { MemberId = members[1].MemberId },
            new LeaveGroupRequest.MemberIdentity { MemberId = "no-such-member" },
            new LeaveGroupRequest.MemberIdentity { MemberId = "", GroupInstanceId = "no-such-instance" },
        ], CancellationToken.None));
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(new[] { (short)ErrorCode.None, (short)ErrorCode.UnknownMemberId, (short)ErrorCode.UnknownMemberId }, response.Members.Select(m => m.ErrorCode));
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("PreparingRebalance", described.GroupState);
        Assert.Equal(members[0].MemberId, Assert.Single(described.Members).MemberId);
    }

    [Fact]
    public async Task LeaveGroupOfTheLastMemberEmptiesTheGroup()
    {
        var members = await FormStableGroupAsync(1);
        await Bounded(_context.Coordinator.LeaveGroupAsync(Group, [new LeaveGroupRequest.MemberIdentity { MemberId = members[0].MemberId }],
            CancellationToken.None));
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Empty", described.GroupState);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync(Group, members[0].MemberId, 1));
    }

    [Fact]
    public async Task ErrorsAreKafkas()
    {
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout,
            (await Bounded(_context.JoinAsync(JoinRequest(Group, sessionTimeoutMs: 5_999)))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout,
            (await Bounded(_context.JoinAsync(JoinRequest(Group, sessionTimeoutMs: 1_800_001)))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidGroupId, (await Bounded(_context.JoinAsync(JoinRequest("")))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await Bounded(_context.JoinAsync(JoinRequest("no-group", "someone")))).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync("no-group", "someone", 1));
        Assert.Equal(ErrorCode.InvalidGroupId, await _context.HeartbeatAsync("", "someone", 1));
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await Bounded(_context.SyncAsync("no-group", "someone", 1))).ErrorCode);

        var members = await FormStableGroupAsync(1);
        var member = members[0];
        Assert.Equal(ErrorCode.IllegalGeneration, await _context.HeartbeatAsync(Group, member.MemberId, 7));
        Assert.Equal((short)ErrorCode.IllegalGeneration, (await Bounded(_context.SyncAsync(Group, member.MemberId, 7))).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, await _context.HeartbeatAsync(Group, "someone", 1));
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol,
            (await Bounded(_context.JoinAsync(JoinRequest(Group, protocolType: "connect")))).ErrorCode);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol,
            (await Bounded(_context.JoinAsync(JoinRequest(Group, protocols: Protocols(("sticky", [])))))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId,
            (await Bounded(_context.JoinAsync(JoinRequest(Group, groupInstanceId: "unknown-instance", memberId: member.MemberId)))).ErrorCode);
    }

    [Fact]
    public async Task GroupMaxSizeTurnsAwayNewMembers()
    {
        await using var context = new GroupTestContext(("group.max.size", "1"));
        var first = await context.StartJoinAsync(Group);
        var refused = await Bounded(context.JoinAsync(JoinRequest(Group)));
        Assert.Equal((short)ErrorCode.GroupMaxSizeReached, refused.ErrorCode);
        Assert.Equal("", refused.MemberId);
        await context.AdvanceAsync(Group, InitialDelayMs);
        Assert.Equal(1, (await Bounded(first)).GenerationId);
    }

    [Fact]
    public async Task IdleGroupsArmNoTimersAndHeartbeatsAddNone()
    {
        for (int i = 0; i < 1_000; i++)
        {
            await _context.CommitAsync(CommitRequest($"idle-{i}", -1, "", (Topic, 0, i, null)));
        }
        Assert.Equal(1_000, _context.Coordinator.GroupCount);
        Assert.Equal(0, _context.Coordinator.PendingDeadlines);

        var members = await FormStableGroupAsync(3);
        // Per member: its session timer, and until they fall due (stale by then) the expiry of its
        // pending member id and its new-member join timeout; and the sync phase's timer.
        int armed = _context.Coordinator.PendingDeadlines;
        Assert.Equal(3 + 3 + 3 + 1, armed);
        for (int round = 0; round < 20; round++)
        {
            foreach (var member in members)
            {
                Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, member.MemberId, 1));
            }
        }
        Assert.Equal(armed, _context.Coordinator.PendingDeadlines);
        // The members stop heartbeating: their sessions expire, the group empties, every timer falls due.
        await AdvanceAsync(SessionTimeoutMs + 1);
        await AdvanceAsync(5 * 60_000);
        Assert.Equal(0, _context.Coordinator.PendingDeadlines);
        Assert.Equal("Empty", (await _context.DescribeAsync(Group)).GroupState);
    }

    [Fact]
    public async Task StoppingTheCoordinatorAnswersParkedRequests()
    {
        var joined = await FormGroupAsync(2);
        var leader = joined.Single(m => m.MemberId == m.Leader);
        var follower = joined.Single(m => m.MemberId != m.Leader);
        var parkedSync = _context.SyncAsync(Group, follower.MemberId, 1);
        var otherGroupJoin = await _context.StartJoinAsync("other-group");
        await _context.DescribeAsync(Group);
        await _context.DescribeAsync("other-group");
        Assert.False(parkedSync.IsCompleted);

        await _context.Coordinator.DisposeAsync();
        Assert.Equal((short)ErrorCode.NotCoordinator, (await Bounded(parkedSync)).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await Bounded(otherGroupJoin)).ErrorCode);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, await _context.HeartbeatAsync(Group, leader.MemberId, 1));
    }

    [Fact]
    public async Task PendingMemberIdExpiresAfterTheSessionTimeout()
    {
        var first = await Bounded(_context.JoinAsync(JoinRequest(Group)));
        await AdvanceAsync(SessionTimeoutMs + 1);
        // The id handed out was never used, so it is forgotten: joining with it is joining with an unknown id.
        var late = await Bounded(_context.JoinAsync(JoinRequest(Group, first.MemberId)));
        Assert.Equal((short)ErrorCode.UnknownMemberId, late.ErrorCode);
    }
}
