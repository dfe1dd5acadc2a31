using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>The join phase: JoinGroup from new, pending, current and static members, and the completion of a generation.</summary>
internal sealed partial class ClassicGroupCoordinator
{
    public void Join(ClassicGroup group, JoinGroupWork work)
    {
        string memberId = work.Request.MemberId;
        bool isUnknownMember = memberId.Length == 0;
        if (!AcceptJoiningMember(group, memberId))
        {
            group.Remove(memberId);
            work.Completion.TrySetResult(JoinError("", ErrorCode.GroupMaxSizeReached));
        }
        else if (isUnknownMember)
        {
            JoinNewMember(group, work);
        }
        else
        {
            JoinCurrentMember(group, work);
        }
        if (group.Is(ClassicGroupState.PreparingRebalance))
        {
            TryCompleteJoin(group);
        }
    }

    /// <summary>
    /// Kafka's <c>acceptJoiningMember</c>: known members always; new ones while the group is below
    /// <c>group.max.size</c> (counting, during a join phase, the members that have rejoined, so the
    /// last to rejoin of a group that has grown too large are the ones turned away).
    /// </summary>
    private bool AcceptJoiningMember(ClassicGroup group, string memberId) => group.State switch
    {
        ClassicGroupState.Empty or ClassicGroupState.Dead => true,
        ClassicGroupState.PreparingRebalance =>
            (group.TryGet(memberId, out var member) && member.IsAwaitingJoin) || group.MembersAwaitingJoin < config.GroupMaxSize,
        _ => group.Has(memberId) || group.Size < config.GroupMaxSize,
    };

    private void JoinNewMember(ClassicGroup group, JoinGroupWork work)
    {
        var request = work.Request;
        if (group.Is(ClassicGroupState.Dead))
        {
            // Deleted meanwhile: the client looks up the coordinator again and joins the group created anew.
            work.Completion.TrySetResult(JoinError("", ErrorCode.CoordinatorNotAvailable));
            return;
        }
        if (!group.SupportsProtocols(request.ProtocolType, request.Protocols))
        {
            work.Completion.TrySetResult(JoinError("", ErrorCode.InconsistentGroupProtocol));
            return;
        }
        string newMemberId = ClassicGroup.GenerateMemberId(work.ClientId, request.GroupInstanceId);
        if (request.GroupInstanceId is { } instanceId)
        {
            if (group.StaticMemberId(instanceId) is { } oldMemberId)
            {
                UpdateStaticMemberAndRebalance(group, work, instanceId, oldMemberId, newMemberId);
            }
            else
            {
                AddMemberAndRebalance(group, work, newMemberId);
            }
        }
        else if (work.RequireKnownMemberId)
        {
            // KIP-394: the member id is handed out first and only a JoinGroup that carries it joins,
            // so a client that times out and retries does not leave a ghost member behind.
            group.AddPendingMember(newMemberId);
            scheduler.Schedule(group.NowMs() + request.SessionTimeoutMs, group, new PendingMemberDeadline(this, newMemberId));
            work.Completion.TrySetResult(JoinError(newMemberId, ErrorCode.MemberIdRequired));
        }
        else
        {
            AddMemberAndRebalance(group, work, newMemberId);
        }
    }

    private void JoinCurrentMember(ClassicGroup group, JoinGroupWork work)
    {
        var request = work.Request;
        string memberId = request.MemberId;
        if (group.Is(ClassicGroupState.Dead))
        {
            work.Completion.TrySetResult(JoinError(memberId, ErrorCode.CoordinatorNotAvailable));
            return;
        }
        if (!group.SupportsProtocols(request.ProtocolType, request.Protocols))
        {
            work.Completion.TrySetResult(JoinError(memberId, ErrorCode.InconsistentGroupProtocol));
            return;
        }
        if (group.IsPendingMember(memberId))
        {
            if (request.GroupInstanceId is not null)
            {
                // Pending ids are only handed to dynamic members; Kafka fails such a request as a server error.
                work.Completion.TrySetResult(JoinError(memberId, ErrorCode.UnknownServerError));
                return;
            }
            AddMemberAndRebalance(group, work, memberId);
            return;
        }
        var error = group.ValidateMember(memberId, request.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            work.Completion.TrySetResult(JoinError(memberId, error));
            return;
        }
        var member = group.Get(memberId);
        switch (group.State)
        {
            case ClassicGroupState.PreparingRebalance:
                UpdateMemberAndRebalance(group, member, work, "joining during PreparingRebalance");
                break;
            case ClassicGroupState.CompletingRebalance:
                if (member.Matches(request.Protocols))
                {
                    // Same metadata: it probably missed its JoinGroup response; it gets the generation again.
                    work.Completion.TrySetResult(JoinResponse(group, memberId, group.IsLeader(memberId), group.LeaderId!, skipAssignment: false));
                }
                else
                {
                    UpdateMemberAndRebalance(group, member, work, "updating metadata during CompletingRebalance");
                }
                break;
            case ClassicGroupState.Stable:
                if (group.IsLeader(memberId))
                {
                    // The leader rejoins to have the group rebalance for changes its metadata does not
                    // show (a consumer seeing new partitions of a subscribed topic).
                    UpdateMemberAndRebalance(group, member, work, "leader rejoining during Stable");
                }
                else if (!member.Matches(request.Protocols))
                {
                    UpdateMemberAndRebalance(group, member, work, "updating metadata during Stable");
                }
                else
                {
                    // A follower with unchanged metadata (a cooperative consumer rejoining after it
                    // revoked nothing) stays in the current generation.
                    work.Completion.TrySetResult(JoinResponse(group, memberId, withMembers: false, group.LeaderId!, skipAssignment: false));
                }
                break;
            default:
                work.Completion.TrySetResult(JoinError(memberId, ErrorCode.UnknownMemberId));
                break;
        }
    }

    private void AddMemberAndRebalance(ClassicGroup group, JoinGroupWork work, string memberId)
    {
        var request = work.Request;
        var member = new ClassicGroupMember(memberId, request.GroupInstanceId, work.ClientId, work.ClientHost, work.RebalanceTimeoutMs,
            request.SessionTimeoutMs, request.ProtocolType, request.Protocols)
        {
            IsNew = true,
        };
        if (group.Is(ClassicGroupState.PreparingRebalance) && group.GenerationId == 0)
        {
            group.NewMemberAdded = true;
        }
        group.Add(member, work.Completion);
        // Its JoinGroup stays parked, so it cannot heartbeat: a defunct new member is dropped after the join timeout instead.
        ScheduleSession(group, member, config.NewMemberJoinTimeoutMs);
        MaybePrepareRebalance(group, $"adding new {member}; client reason: {request.Reason ?? "not provided"}");
    }

    private void UpdateMemberAndRebalance(ClassicGroup group, ClassicGroupMember member, JoinGroupWork work, string reason)
    {
        var request = work.Request;
        group.UpdateMember(member, request.Protocols, work.RebalanceTimeoutMs, request.SessionTimeoutMs, work.Completion);
        MaybePrepareRebalance(group, $"{member} {reason}; client reason: {request.Reason ?? "not provided"}");
    }

    /// <summary>
    /// A static member joins without a member id (it restarted): it takes over the old member's
    /// place under a new member id. In a Stable group whose protocol would not change this needs no
    /// rebalance: the group is stored with the new id and the member gets the current generation
    /// (and its old assignment in SyncGroup). Whoever still holds the old member id is fenced.
    /// </summary>
    private void UpdateStaticMemberAndRebalance(ClassicGroup group, JoinGroupWork work, string instanceId, string oldMemberId, string newMemberId)
    {
        var request = work.Request;
        string? currentLeader = group.LeaderId;
        var member = group.Get(oldMemberId);
        group.CompleteJoin(member, JoinError(oldMemberId, ErrorCode.FencedInstanceId));
        ClassicGroup.CompleteSync(member, SyncError(ErrorCode.FencedInstanceId));
        group.ReplaceStaticMember(instanceId, oldMemberId, newMemberId);
        ScheduleSession(group, member, member.SessionTimeoutMs);
        var oldProtocols = member.SupportedProtocols;
        int oldRebalanceTimeoutMs = member.RebalanceTimeoutMs;
        int oldSessionTimeoutMs = member.SessionTimeoutMs;
        group.UpdateMember(member, request.Protocols, work.RebalanceTimeoutMs, request.SessionTimeoutMs, work.Completion);
        switch (group.State)
        {
            case ClassicGroupState.Stable:
                if (group.ProtocolName != group.SelectProtocol())
                {
                    MaybePrepareRebalance(group, $"static member {member} rejoined with a change of protocol");
                    break;
                }
                LogStaticMemberReplaced(logger, group.GroupId, instanceId, oldMemberId, newMemberId);
                var assignment = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var each in group.Members)
                {
                    assignment[each.MemberId] = each.Assignment;
                }
                var write = store.Append(group.GroupId, [new(GroupMetadataRecord.Key(group.GroupId), GroupMetadataRecord.Value(group.ToStored(assignment)))]);
                var revert = new StaticMemberRevert(instanceId, oldMemberId, newMemberId, currentLeader, oldProtocols, oldRebalanceTimeoutMs,
                    oldSessionTimeoutMs, work);
                WriteCompletion.After(group, write, new StaticMemberStored(this, member, revert));
                break;
            case ClassicGroupState.CompletingRebalance:
                // The leader may already be assigning with the old member id, which would leave the new id without partitions.
                PrepareRebalance(group, $"static member {member} rejoined during CompletingRebalance");
                break;
            case ClassicGroupState.PreparingRebalance:
                break; // its JoinGroup is parked with the others
            default:
                throw new InvalidOperationException($"Group {group.GroupId} has static member {instanceId} while {group.State.ToKafkaName()}");
        }
    }

    private void OnStaticMemberStored(ClassicGroup group, ClassicGroupMember member, StaticMemberRevert revert, ErrorCode appendError)
    {
        if (appendError != ErrorCode.None)
        {
            var error = GroupStore.GroupMetadataError(appendError);
            LogStaticMemberNotStored(logger, group.GroupId, revert.InstanceId, error);
            group.UpdateMember(member, revert.OldProtocols, revert.OldRebalanceTimeoutMs, revert.OldSessionTimeoutMs, null);
            if (group.StaticMemberId(revert.InstanceId) == revert.NewMemberId)
            {
                group.ReplaceStaticMember(revert.InstanceId, revert.NewMemberId, revert.OldMemberId);
                ScheduleSession(group, member, member.SessionTimeoutMs);
            }
            var failed = JoinResponse(group, "", withMembers: false, revert.CurrentLeader ?? "", skipAssignment: false);
            failed.ErrorCode = (short)error;
            revert.Work.Completion.TrySetResult(failed);
            return;
        }
        if (revert.Work.SupportSkippingAssignment)
        {
            // JoinGroup v9+: a static leader learns it leads, but must not compute a new assignment:
            // a Stable group would not hand it out. It keeps watching metadata as the leader should.
            bool isLeader = group.IsLeader(revert.NewMemberId);
            group.CompleteJoin(member, JoinResponse(group, revert.NewMemberId, isLeader, group.LeaderId ?? "", skipAssignment: isLeader));
        }
        else
        {
            // Older clients are given the previous leader's id, so the rejoined member never thinks it
            // must assign (its new id cannot match) even when it was the leader.
            group.CompleteJoin(member, JoinResponse(group, revert.NewMemberId, withMembers: false, revert.CurrentLeader ?? "", skipAssignment: false));
        }
    }

    private void OnEmptyGroupStored(ClassicGroup group, ErrorCode error)
    {
        if (error != ErrorCode.None)
        {
            // Harmless: after a restart the previous generation comes back and its members expire.
            LogEmptyGroupNotStored(logger, group.GroupId, error);
        }
    }

    /// <summary>Completes the join phase if it may end early: not the initial delay, and every member (and no pending one) has joined.</summary>
    private void TryCompleteJoin(ClassicGroup group)
    {
        if (group.Is(ClassicGroupState.PreparingRebalance) && !group.JoinPhaseIsInitialDelay && group.HasAllMembersJoined)
        {
            CompleteJoin(group);
        }
    }

    private void ScheduleJoinPhase(ClassicGroup group, bool initial, int delayMs, int remainingMs)
    {
        group.JoinTimerToken++;
        group.JoinPhaseIsInitialDelay = initial;
        scheduler.Schedule(group.NowMs() + delayMs, group, new JoinDeadline(this, group.JoinTimerToken, initial, delayMs, remainingMs));
    }

    private void OnJoinDeadline(ClassicGroup group, long token, bool initial, int delayMs, int remainingMs)
    {
        if (token != group.JoinTimerToken || !group.Is(ClassicGroupState.PreparingRebalance))
        {
            return;
        }
        if (initial && group.NewMemberAdded && remainingMs != 0)
        {
            // Kafka's InitialDelayedJoin: each new member during the initial rebalance buys another
            // delay, up to the rebalance timeout, so a group that starts together forms one generation.
            group.NewMemberAdded = false;
            int delay = Math.Min(config.GroupInitialRebalanceDelayMs, remainingMs);
            ScheduleJoinPhase(group, initial: true, delay, Math.Max(remainingMs - delayMs, 0));
            return;
        }
        CompleteJoin(group);
    }

    /// <summary>
    /// Kafka's <c>onCompleteJoin</c>: dynamic members that did not rejoin are dropped, a leader is
    /// chosen among those that did, and the next generation begins: every waiting JoinGroup is
    /// answered (the leader's with the members' metadata) and the sync phase starts.
    /// </summary>
    private void CompleteJoin(ClassicGroup group)
    {
        group.JoinTimerToken++;
        group.JoinPhaseIsInitialDelay = false;
        foreach (var member in group.NotYetRejoinedMembers())
        {
            if (!member.IsStatic)
            {
                group.Remove(member.MemberId);
                LogMemberRemoved(logger, group.GroupId, member.ToString(), "did not rejoin before the rebalance timeout");
            }
        }
        if (!group.MaybeElectNewJoinedLeader() && group.Size > 0)
        {
            // Only static members are left and none rejoined: wait another rebalance timeout (their sessions expire meanwhile).
            LogNoMemberRejoined(logger, group.GroupId);
            ScheduleJoinPhase(group, initial: false, group.RebalanceTimeoutMs, 0);
            return;
        }
        group.InitNextGeneration();
        if (group.Is(ClassicGroupState.Empty))
        {
            LogGroupEmpty(logger, group.GroupId, group.GenerationId);
            var write = store.Append(group.GroupId, [new(GroupMetadataRecord.Key(group.GroupId), GroupMetadataRecord.Value(group.ToStored([])))]);
            WriteCompletion.After(group, write, new EmptyGroupStored(this));
            return;
        }
        LogStabilized(logger, group.GroupId, group.GenerationId, group.Size, group.ProtocolName!);
        string leaderId = group.LeaderId!;
        foreach (var member in group.Members)
        {
            bool isLeader = member.MemberId == leaderId;
            group.CompleteJoin(member, JoinResponse(group, member.MemberId, isLeader, leaderId, skipAssignment: false));
            ScheduleSession(group, member, member.SessionTimeoutMs);
            member.IsNew = false;
            group.AddPendingSyncMember(member.MemberId);
        }
        SchedulePendingSync(group);
    }

    private static JoinGroupResponse JoinResponse(ClassicGroup group, string memberId, bool withMembers, string leaderId, bool skipAssignment) => new()
    {
        MemberId = memberId,
        GenerationId = group.GenerationId,
        ProtocolType = group.ProtocolType,
        ProtocolName = group.ProtocolName,
        Leader = leaderId,
        SkipAssignment = skipAssignment,
        Members = withMembers ? group.CurrentMemberMetadata() : [],
    };

    /// <summary>A JoinGroup, with what its version implies (v0 has no rebalance timeout; v4+ must carry a member id; v9+ may skip assignment).</summary>
    public sealed class JoinGroupWork(ClassicGroupCoordinator coordinator, JoinGroupRequest request, short version, string clientId, string clientHost)
        : GroupWork<JoinGroupResponse>
    {
        public JoinGroupRequest Request => request;

        public string ClientId => clientId;

        public string ClientHost => clientHost;

        public int RebalanceTimeoutMs => version == 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs;

        public bool RequireKnownMemberId => version >= 4;

        public bool SupportSkippingAssignment => version >= 9;

        public override void Execute(ClassicGroup group) => coordinator.Join(group, this);
    }

    private sealed class JoinDeadline(ClassicGroupCoordinator coordinator, long token, bool initial, int delayMs, int remainingMs) : GroupWork
    {
        public override void Execute(ClassicGroup group) => coordinator.OnJoinDeadline(group, token, initial, delayMs, remainingMs);
    }

    /// <summary>What to undo if the rejoined static member's new id could not be stored.</summary>
    private sealed record StaticMemberRevert(string InstanceId, string OldMemberId, string NewMemberId, string? CurrentLeader,
        List<JoinGroupRequest.JoinGroupRequestProtocol> OldProtocols, int OldRebalanceTimeoutMs, int OldSessionTimeoutMs, JoinGroupWork Work);

    private sealed class StaticMemberStored(ClassicGroupCoordinator coordinator, ClassicGroupMember member, StaticMemberRevert revert) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => coordinator.OnStaticMemberStored(group, member, revert, error);
    }

    private sealed class EmptyGroupStored(ClassicGroupCoordinator coordinator) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => coordinator.OnEmptyGroupStored(group, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stabilized group {GroupId} generation {GenerationId} with {MemberCount} members (protocol {Protocol})")]
    private static partial void LogStabilized(ILogger logger, string groupId, int generationId, int memberCount, string protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} with generation {GenerationId} is now empty")]
    private static partial void LogGroupEmpty(ILogger logger, string groupId, int generationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId} could not complete its rebalance because no member rejoined")]
    private static partial void LogNoMemberRejoined(ILogger logger, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: static member {InstanceId} rejoined; member id {OldMemberId} replaced by {NewMemberId} without a rebalance")]
    private static partial void LogStaticMemberReplaced(ILogger logger, string groupId, string instanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: the new member id of static member {InstanceId} could not be stored ({Error}); the old one is kept")]
    private static partial void LogStaticMemberNotStored(ILogger logger, string groupId, string instanceId, ErrorCode error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: could not store that it is empty ({Error})")]
    private static partial void LogEmptyGroupNotStored(ILogger logger, string groupId, ErrorCode error);
}
