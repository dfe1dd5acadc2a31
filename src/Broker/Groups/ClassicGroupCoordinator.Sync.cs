using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>The sync phase: members wait in SyncGroup until the leader's assignment is stored, then all get their part.</summary>
internal sealed partial class ClassicGroupCoordinator
{
    public void Sync(ClassicGroup group, SyncGroupWork work)
    {
        var request = work.Request;
        var error = ValidateSync(group, request);
        if (error != ErrorCode.None)
        {
            work.Completion.TrySetResult(SyncError(error));
            return;
        }
        var member = group.Get(request.MemberId);
        switch (group.State)
        {
            case ClassicGroupState.Empty:
                work.Completion.TrySetResult(SyncError(ErrorCode.UnknownMemberId));
                break;
            case ClassicGroupState.PreparingRebalance:
                work.Completion.TrySetResult(SyncError(ErrorCode.RebalanceInProgress));
                break;
            case ClassicGroupState.CompletingRebalance:
                member.AwaitingSync = work.Completion;
                RemovePendingSyncMember(group, member.MemberId);
                if (group.IsLeader(member.MemberId))
                {
                    StoreLeaderAssignment(group, request);
                }
                break;
            default:
                // Stable: the member missed its answer or rejoined without a rebalance; it gets its current assignment.
                RemovePendingSyncMember(group, member.MemberId);
                work.Completion.TrySetResult(new SyncGroupResponse
                {
                    ProtocolType = group.ProtocolType,
                    ProtocolName = group.ProtocolName,
                    Assignment = member.Assignment,
                });
                ScheduleSession(group, member, member.SessionTimeoutMs);
                break;
        }
    }

    private static ErrorCode ValidateSync(ClassicGroup group, SyncGroupRequest request)
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
        if ((request.ProtocolType is { } protocolType && protocolType != group.ProtocolType) ||
            (request.ProtocolName is { } protocolName && protocolName != group.ProtocolName))
        {
            return ErrorCode.InconsistentGroupProtocol;
        }
        return ErrorCode.None;
    }

    /// <summary>Stores the generation with the leader's assignment (members it left out get an empty one); the group turns Stable once that is acknowledged.</summary>
    private void StoreLeaderAssignment(ClassicGroup group, SyncGroupRequest request)
    {
        var assignment = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var each in request.Assignments)
        {
            assignment[each.MemberId] = each.Assignment;
        }
        int missing = 0;
        foreach (var member in group.Members)
        {
            if (assignment.TryAdd(member.MemberId, []))
            {
                missing++;
            }
        }
        if (missing > 0)
        {
            LogMissingAssignments(logger, group.GroupId, missing, group.GenerationId);
        }
        LogAssignmentReceived(logger, group.GroupId, request.MemberId, group.GenerationId, group.Size);
        var write = store.Append(group.GroupId, [new(GroupMetadataRecord.Key(group.GroupId), GroupMetadataRecord.Value(group.ToStored(assignment)))]);
        WriteCompletion.After(group, write, new AssignmentStored(this, group.GenerationId, assignment));
    }

    private void OnAssignmentStored(ClassicGroup group, int generationId, Dictionary<string, byte[]> assignment, ErrorCode appendError)
    {
        // Another member may have joined meanwhile: then this generation is over and the outcome no longer matters.
        if (!group.Is(ClassicGroupState.CompletingRebalance) || generationId != group.GenerationId)
        {
            return;
        }
        if (appendError != ErrorCode.None)
        {
            var error = GroupStore.GroupMetadataError(appendError);
            ResetAndPropagateAssignmentError(group, error);
            MaybePrepareRebalance(group, $"error {error} when storing the group's assignment");
            return;
        }
        foreach (var member in group.Members)
        {
            member.Assignment = assignment.GetValueOrDefault(member.MemberId) ?? [];
        }
        PropagateAssignment(group, ErrorCode.None);
        group.TransitionTo(ClassicGroupState.Stable);
    }

    private void ResetAndPropagateAssignmentError(ClassicGroup group, ErrorCode error)
    {
        foreach (var member in group.Members)
        {
            member.Assignment = [];
        }
        PropagateAssignment(group, error);
    }

    /// <summary>Answers every parked SyncGroup; their sessions restart, as they could not heartbeat while parked.</summary>
    private void PropagateAssignment(ClassicGroup group, ErrorCode error)
    {
        bool success = error == ErrorCode.None;
        foreach (var member in group.Members)
        {
            var response = new SyncGroupResponse
            {
                ErrorCode = (short)error,
                ProtocolType = success ? group.ProtocolType : null,
                ProtocolName = success ? group.ProtocolName : null,
                Assignment = member.Assignment,
            };
            if (ClassicGroup.CompleteSync(member, response))
            {
                ScheduleSession(group, member, member.SessionTimeoutMs);
            }
        }
    }

    private void RemovePendingSyncMember(ClassicGroup group, string memberId)
    {
        group.RemovePendingSyncMember(memberId);
        if (group.HasReceivedSyncFromAllMembers)
        {
            group.SyncTimerToken++;
        }
    }

    private static void RemoveSyncExpiration(ClassicGroup group)
    {
        group.ClearPendingSyncMembers();
        group.SyncTimerToken++;
    }

    /// <summary>After the join phase, every member must send SyncGroup within the rebalance timeout.</summary>
    private void SchedulePendingSync(ClassicGroup group)
    {
        group.SyncTimerToken++;
        scheduler.Schedule(group.NowMs() + group.RebalanceTimeoutMs, group, new SyncDeadline(this, group.SyncTimerToken, group.GenerationId));
    }

    private void OnSyncDeadline(ClassicGroup group, long token, int generationId)
    {
        if (token != group.SyncTimerToken || generationId != group.GenerationId ||
            !(group.Is(ClassicGroupState.CompletingRebalance) || group.Is(ClassicGroupState.Stable)) || group.HasReceivedSyncFromAllMembers)
        {
            return;
        }
        var missing = new List<string>(group.PendingSyncMembers);
        foreach (var memberId in missing)
        {
            if (group.TryGet(memberId, out var member))
            {
                group.CompleteJoin(member, JoinError("", ErrorCode.UnknownMemberId));
                group.Remove(memberId);
                LogMemberRemoved(logger, group.GroupId, member.ToString(), "did not send SyncGroup before the rebalance timeout");
            }
        }
        PrepareRebalance(group, $"removing {missing.Count} members that did not sync");
    }

    /// <summary>A SyncGroup; a follower's waits for the leader's.</summary>
    public sealed class SyncGroupWork(ClassicGroupCoordinator coordinator, SyncGroupRequest request) : GroupWork<SyncGroupResponse>
    {
        public SyncGroupRequest Request => request;

        public override void Execute(ClassicGroup group) => coordinator.Sync(group, this);
    }

    private sealed class SyncDeadline(ClassicGroupCoordinator coordinator, long token, int generationId) : GroupWork
    {
        public override void Execute(ClassicGroup group) => coordinator.OnSyncDeadline(group, token, generationId);
    }

    private sealed class AssignmentStored(ClassicGroupCoordinator coordinator, int generationId, Dictionary<string, byte[]> assignment) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => coordinator.OnAssignmentStored(group, generationId, assignment, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment received from leader {MemberId} for group {GroupId} for generation {GenerationId}; the group has {MemberCount} members")]
    private static partial void LogAssignmentReceived(ILogger logger, string groupId, string memberId, int generationId, int memberCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: the leader gave {Missing} members no assignment for generation {GenerationId}; they get an empty one")]
    private static partial void LogMissingAssignments(ILogger logger, string groupId, int missing, int generationId);
}
