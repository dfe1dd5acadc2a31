using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The classic group membership protocol, as Kafka's group coordinator runs it: JoinGroup, SyncGroup,
/// Heartbeat and LeaveGroup, rebalances and their deadlines, member sessions. Every method runs on the
/// group's mailbox (see <see cref="GroupMailbox"/>), so it owns the group while it runs.
/// </summary>
/// <remarks>
/// <para>This file: sessions, heartbeats, leaving, rebalance preparation. The join phase is in
/// <c>ClassicGroupCoordinator.Join.cs</c>, the sync phase in <c>ClassicGroupCoordinator.Sync.cs</c>.</para>
/// <para>Deadlines (Kafka's delayed operations) go to the shared <see cref="DeadlineScheduler"/> as
/// work for the group's mailbox; each carries what it was armed for (a due time, a timer token, a
/// generation) and does nothing when the group has moved on.</para>
/// </remarks>
internal sealed partial class ClassicGroupCoordinator(GroupCoordinatorConfig config, DeadlineScheduler scheduler, GroupStore store, ILogger logger)
{
    public GroupCoordinatorConfig Config => config;

    public GroupStore Store => store;

    public void Heartbeat(ClassicGroup group, HeartbeatWork work)
    {
        var request = work.Request;
        work.Completion.TrySetResult(new HeartbeatResponse { ErrorCode = (short)DoHeartbeat(group, request) });
    }

    private ErrorCode DoHeartbeat(ClassicGroup group, HeartbeatRequest request)
    {
        if (group.Is(ClassicGroupState.Dead))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        var error = group.ValidateMember(request.MemberId, request.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }
        if (request.GenerationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }
        switch (group.State)
        {
            case ClassicGroupState.Empty:
                return ErrorCode.UnknownMemberId;
            case ClassicGroupState.PreparingRebalance:
                ScheduleSession(group, group.Get(request.MemberId), group.Get(request.MemberId).SessionTimeoutMs);
                return ErrorCode.RebalanceInProgress;
            default:
                // Consumers may heartbeat between their JoinGroup response and SyncGroup: that is ordinary liveness.
                ScheduleSession(group, group.Get(request.MemberId), group.Get(request.MemberId).SessionTimeoutMs);
                return ErrorCode.None;
        }
    }

    public void Leave(ClassicGroup group, LeaveGroupWork work)
    {
        var response = new LeaveGroupResponse();
        if (group.Is(ClassicGroupState.Dead))
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            work.Completion.TrySetResult(response);
            return;
        }
        foreach (var leaving in work.Members)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = leaving.MemberId,
                GroupInstanceId = leaving.GroupInstanceId,
                ErrorCode = (short)LeaveMember(group, leaving),
            });
        }
        work.Completion.TrySetResult(response);
    }

    private ErrorCode LeaveMember(ClassicGroup group, LeaveGroupRequest.MemberIdentity leaving)
    {
        string reason = "client reason: " + (leaving.Reason ?? "not provided");
        if (leaving.MemberId.Length == 0)
        {
            // An administrator removes a static member by its group instance id alone.
            if (leaving.GroupInstanceId is { } instanceId && group.StaticMemberId(instanceId) is { } currentMemberId)
            {
                RemoveMemberAndUpdateGroup(group, group.Get(currentMemberId), "LeaveGroup; " + reason);
                return ErrorCode.None;
            }
            return ErrorCode.UnknownMemberId;
        }
        if (group.IsPendingMember(leaving.MemberId))
        {
            RemovePendingMemberAndUpdateGroup(group, leaving.MemberId);
            return ErrorCode.None;
        }
        var error = group.ValidateMember(leaving.MemberId, leaving.GroupInstanceId);
        if (error == ErrorCode.None)
        {
            RemoveMemberAndUpdateGroup(group, group.Get(leaving.MemberId), "LeaveGroup; " + reason);
        }
        return error;
    }

    /// <summary>
    /// DescribeGroups for one group: a Stable group with its protocol and every member's metadata and
    /// assignment; otherwise the state and the members without them.
    /// </summary>
    public static DescribeGroupsResponse.DescribedGroup Describe(ClassicGroup group)
    {
        var described = new DescribeGroupsResponse.DescribedGroup
        {
            GroupId = group.GroupId,
            GroupState = group.State.ToKafkaName(),
            ProtocolType = group.ProtocolType ?? "",
        };
        if (group.Is(ClassicGroupState.Dead))
        {
            return described;
        }
        bool stable = group.Is(ClassicGroupState.Stable);
        if (stable)
        {
            described.ProtocolData = group.ProtocolName!;
        }
        foreach (var member in group.Members)
        {
            described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                MemberMetadata = stable ? member.Metadata(group.ProtocolName!) : [],
                MemberAssignment = stable ? member.Assignment : [],
            });
        }
        return described;
    }

    /// <summary>
    /// Kafka's <c>onGroupUnloaded</c>: the group is Dead here from now on; members waiting in
    /// JoinGroup or SyncGroup are told NOT_COORDINATOR.
    /// </summary>
    public static void Unload(ClassicGroup group)
    {
        var previous = group.State;
        group.MarkDead();
        foreach (var member in group.Members)
        {
            if (previous == ClassicGroupState.PreparingRebalance)
            {
                group.CompleteJoin(member, JoinError(member.MemberId, ErrorCode.NotCoordinator));
            }
            ClassicGroup.CompleteSync(member, SyncError(ErrorCode.NotCoordinator));
        }
    }

    /// <summary>Restarts a member's session for a sign of life other than a heartbeat (an offset commit).</summary>
    public void KeepAlive(ClassicGroup group, ClassicGroupMember member) => ScheduleSession(group, member, member.SessionTimeoutMs);

    /// <summary>Kafka's <c>onGroupLoaded</c>: sessions start now; a group over <c>group.max.size</c> rebalances.</summary>
    public void OnGroupLoaded(ClassicGroup group)
    {
        foreach (var member in group.Members)
        {
            ScheduleSession(group, member, member.SessionTimeoutMs);
        }
        if (group.Size > config.GroupMaxSize)
        {
            PrepareRebalance(group, $"freshly loaded group is over capacity ({config.GroupMaxSize})");
        }
    }

    /// <summary>Gives <paramref name="member"/> <paramref name="timeoutMs"/> from now to show signs of life.</summary>
    private void ScheduleSession(ClassicGroup group, ClassicGroupMember member, long timeoutMs)
    {
        long deadline = group.NowMs() + timeoutMs;
        member.SessionDeadlineMs = deadline;
        if (member.SessionTimerDueMs > deadline)
        {
            member.SessionTimerDueMs = deadline;
            scheduler.Schedule(deadline, group, new SessionDeadline(this, member, deadline));
        }
    }

    private void OnSessionDeadline(ClassicGroup group, ClassicGroupMember member, long dueMs)
    {
        if (member.SessionTimerDueMs != dueMs)
        {
            return; // an earlier timer replaced this one
        }
        member.SessionTimerDueMs = long.MaxValue;
        if (group.Is(ClassicGroupState.Dead) || !group.TryGet(member.MemberId, out var current) || current != member)
        {
            return;
        }
        if (group.NowMs() < member.SessionDeadlineMs)
        {
            member.SessionTimerDueMs = member.SessionDeadlineMs;
            scheduler.Schedule(member.SessionDeadlineMs, group, new SessionDeadline(this, member, member.SessionDeadlineMs));
            return;
        }
        if (member.IsExcusedFromHeartbeats)
        {
            return; // parked in a rebalance: its session restarts when the join or sync phase answers it
        }
        LogMemberExpired(logger, group.GroupId, member.ToString(), member.SessionTimeoutMs);
        RemoveMemberAndUpdateGroup(group, member, "session timeout expired");
    }

    private void OnPendingMemberDeadline(ClassicGroup group, string memberId)
    {
        if (!group.Is(ClassicGroupState.Dead) && group.IsPendingMember(memberId))
        {
            RemovePendingMemberAndUpdateGroup(group, memberId);
        }
    }

    /// <summary>Kafka's <c>removeMemberAndUpdateGroup</c>: answers the member's parked requests, removes it, and rebalances.</summary>
    private void RemoveMemberAndUpdateGroup(ClassicGroup group, ClassicGroupMember member, string reason)
    {
        // A new member can time out with its JoinGroup parked: it learns it must join again.
        group.CompleteJoin(member, JoinError("", ErrorCode.UnknownMemberId));
        // Kafka leaves a parked SyncGroup of a removed member unanswered until the connection goes; answering is kinder.
        ClassicGroup.CompleteSync(member, SyncError(ErrorCode.UnknownMemberId));
        group.Remove(member.MemberId);
        LogMemberRemoved(logger, group.GroupId, member.ToString(), reason);
        switch (group.State)
        {
            case ClassicGroupState.Stable or ClassicGroupState.CompletingRebalance:
                MaybePrepareRebalance(group, $"removing {member} ({reason})");
                break;
            case ClassicGroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
    }

    private void RemovePendingMemberAndUpdateGroup(ClassicGroup group, string memberId)
    {
        group.Remove(memberId);
        if (group.Is(ClassicGroupState.PreparingRebalance))
        {
            TryCompleteJoin(group);
        }
    }

    private void MaybePrepareRebalance(ClassicGroup group, string reason)
    {
        if (group.CanRebalance)
        {
            PrepareRebalance(group, reason);
        }
    }

    /// <summary>
    /// Kafka's <c>prepareRebalance</c>: members waiting in SyncGroup are told to rejoin, the join phase
    /// starts (from Empty with the initial rebalance delay, otherwise bounded by the longest rebalance
    /// timeout) and completes at once if every member is already waiting in JoinGroup.
    /// </summary>
    private void PrepareRebalance(ClassicGroup group, string reason)
    {
        if (group.Is(ClassicGroupState.CompletingRebalance))
        {
            ResetAndPropagateAssignmentError(group, ErrorCode.RebalanceInProgress);
        }
        RemoveSyncExpiration(group);
        bool initial = group.Is(ClassicGroupState.Empty);
        if (initial)
        {
            int delay = config.GroupInitialRebalanceDelayMs;
            ScheduleJoinPhase(group, initial: true, delay, Math.Max(group.RebalanceTimeoutMs - delay, 0));
        }
        else
        {
            ScheduleJoinPhase(group, initial: false, group.RebalanceTimeoutMs, 0);
        }
        group.TransitionTo(ClassicGroupState.PreparingRebalance);
        LogPreparingRebalance(logger, group.GroupId, group.GenerationId, store.PartitionFor(group.GroupId), reason);
        TryCompleteJoin(group);
    }

    internal static JoinGroupResponse JoinError(string memberId, ErrorCode error) => new()
    {
        ErrorCode = (short)error,
        MemberId = memberId,
        GenerationId = -1,
        ProtocolType = null,
        ProtocolName = null,
        Leader = "",
    };

    internal static SyncGroupResponse SyncError(ErrorCode error) => new()
    {
        ErrorCode = (short)error,
        ProtocolType = null,
        ProtocolName = null,
    };

    /// <summary>A heartbeat: answered from the group's state, it also restarts the member's session.</summary>
    public sealed class HeartbeatWork(ClassicGroupCoordinator coordinator, HeartbeatRequest request) : GroupWork<HeartbeatResponse>
    {
        public HeartbeatRequest Request => request;

        public override void Execute(ClassicGroup group) => coordinator.Heartbeat(group, this);
    }

    /// <summary>A LeaveGroup for one or more members (one before v3, several from v3).</summary>
    public sealed class LeaveGroupWork(ClassicGroupCoordinator coordinator, List<LeaveGroupRequest.MemberIdentity> members)
        : GroupWork<LeaveGroupResponse>
    {
        public List<LeaveGroupRequest.MemberIdentity> Members => members;

        public override void Execute(ClassicGroup group) => coordinator.Leave(group, this);
    }

    /// <summary>A DescribeGroups of one group.</summary>
    public sealed class DescribeGroupWork : GroupWork<DescribeGroupsResponse.DescribedGroup>
    {
        public override void Execute(ClassicGroup group) => Completion.TrySetResult(Describe(group));
    }

    /// <summary>The coordinator stops: the group is unloaded.</summary>
    public sealed class UnloadWork : GroupWork<bool>
    {
        public override void Execute(ClassicGroup group)
        {
            Unload(group);
            Completion.TrySetResult(true);
        }
    }

    /// <summary>A group loaded from the log: its members' sessions start.</summary>
    public sealed class GroupLoadedWork(ClassicGroupCoordinator coordinator) : GroupWork
    {
        public override void Execute(ClassicGroup group) => coordinator.OnGroupLoaded(group);
    }

    private sealed class SessionDeadline(ClassicGroupCoordinator coordinator, ClassicGroupMember member, long dueMs) : GroupWork
    {
        public override void Execute(ClassicGroup group) => coordinator.OnSessionDeadline(group, member, dueMs);
    }

    private sealed class PendingMemberDeadline(ClassicGroupCoordinator coordinator, string memberId) : GroupWork
    {
        public override void Execute(ClassicGroup group) => coordinator.OnPendingMemberDeadline(group, memberId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Preparing to rebalance group {GroupId} with old generation {GenerationId} (__consumer_offsets-{Partition}) (reason: {Reason})")]
    private static partial void LogPreparingRebalance(ILogger logger, string groupId, int generationId, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: {Member} has not been heard from within its session timeout of {SessionTimeoutMs} ms")]
    private static partial void LogMemberExpired(ILogger logger, string groupId, string member, int sessionTimeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: removed {Member} ({Reason})")]
    private static partial void LogMemberRemoved(ILogger logger, string groupId, string member, string reason);
}
