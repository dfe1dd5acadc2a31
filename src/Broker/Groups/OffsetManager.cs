using System.Collections.Concurrent;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// Committed offsets, as Kafka's offset manager keeps them: commits checked against the group's
/// membership, written to <c>__consumer_offsets</c> and visible once acknowledged; fetches; deletion
/// of offsets and of whole groups; and expiry (KIP-211: offsets of a group expire only once it is
/// empty, or, for a Stable consumer group, for topics it no longer subscribes to). Every method runs
/// on the group's mailbox.
/// </summary>
internal sealed partial class OffsetManager(GroupCoordinatorConfig config, GroupStore store,
    ConcurrentDictionary<string, ClassicGroup> groups, ClassicGroupCoordinator membership, ILogger logger)
{
    public const long InvalidOffset = -1;

    public void Commit(ClassicGroup group, CommitWork work)
    {
        var request = work.Request;
        var error = ValidateCommit(group, request, work.Version);
        if (error != ErrorCode.None)
        {
            work.Completion.TrySetResult(work.Respond(error));
            return;
        }
        if ((group.Is(ClassicGroupState.Stable) || group.Is(ClassicGroupState.PreparingRebalance)) &&
            group.TryGet(request.MemberId, out var member))
        {
            // A commit is a sign of life, as a heartbeat is.
            membership.KeepAlive(group, member);
        }
        long nowMs = group.NowMs();
        long expireTimestamp = request.RetentionTimeMs == -1 ? OffsetAndMetadata.NoExpireTimestamp : nowMs + request.RetentionTimeMs;
        var records = new List<KeyValuePair<byte[], byte[]?>>();
        var committed = new List<(TopicPartition Partition, OffsetAndMetadata Offset)>();
        int index = 0;
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (work.PartitionErrors[index] == ErrorCode.None)
                {
                    string metadata = partition.CommittedMetadata ?? "";
                    if (metadata.Length > config.OffsetMetadataMaxBytes)
                    {
                        work.PartitionErrors[index] = ErrorCode.OffsetMetadataTooLarge;
                    }
                    else
                    {
                        var offset = new OffsetAndMetadata(partition.CommittedOffset, partition.CommittedLeaderEpoch, metadata,
                            partition.CommitTimestamp == -1 ? nowMs : partition.CommitTimestamp, expireTimestamp, InvalidOffset);
                        var topicPartition = new TopicPartition(topic.Name, partition.PartitionIndex);
                        records.Add(new(OffsetCommitRecord.Key(group.GroupId, topic.Name, partition.PartitionIndex), OffsetCommitRecord.Value(offset)));
                        committed.Add((topicPartition, offset));
                        group.PendingOffsetCommits[topicPartition] = group.PendingOffsetCommits.GetValueOrDefault(topicPartition) + 1;
                    }
                }
                index++;
            }
        }
        if (records.Count == 0)
        {
            work.Completion.TrySetResult(work.Respond(ErrorCode.None));
            return;
        }
        var write = store.Append(group.GroupId, records);
        WriteCompletion.After(group, write, new OffsetsStored(this, work, committed, write.FirstOffset));
    }

    /// <summary>Kafka 4's <c>validateOffsetCommit</c> for an existing classic group.</summary>
    private static ErrorCode ValidateCommit(ClassicGroup group, OffsetCommitRequest request, short version)
    {
        if (group.Is(ClassicGroupState.Dead))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (request.GenerationIdOrMemberEpoch < 0 && group.Is(ClassicGroupState.Empty))
        {
            // The admin client, or a consumer that assigns partitions itself: allowed while nobody is a member.
            return ErrorCode.None;
        }
        if (request.GenerationIdOrMemberEpoch >= 0 || request.MemberId.Length > 0 || request.GroupInstanceId is not null)
        {
            var error = group.ValidateMember(request.MemberId, request.GroupInstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }
            if (request.GenerationIdOrMemberEpoch != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
        }
        else if (!group.Is(ClassicGroupState.Empty))
        {
            return ErrorCode.UnknownMemberId;
        }
        // Its member id and generation are current, but the assignment is not out yet: the consumer should wait for it.
        return group.Is(ClassicGroupState.CompletingRebalance) ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    private void OnOffsetsStored(ClassicGroup group, CommitWork work, List<(TopicPartition Partition, OffsetAndMetadata Offset)> committed,
        long firstRecordOffset, ErrorCode appendError)
    {
        for (int i = 0; i < committed.Count; i++)
        {
            var (partition, offset) = committed[i];
            int pending = group.PendingOffsetCommits.GetValueOrDefault(partition) - 1;
            if (pending > 0)
            {
                group.PendingOffsetCommits[partition] = pending;
            }
            else
            {
                group.PendingOffsetCommits.Remove(partition);
            }
            if (appendError == ErrorCode.None && !group.Is(ClassicGroupState.Dead))
            {
                var stored = offset with { RecordOffset = firstRecordOffset + i };
                if (!group.Offsets.TryGetValue(partition, out var existing) || existing.RecordOffset < stored.RecordOffset)
                {
                    group.Offsets[partition] = stored;
                }
            }
        }
        work.Completion.TrySetResult(work.Respond(GroupStore.OffsetCommitError(appendError)));
    }

    /// <summary>
    /// The group's committed offsets: of the requested partitions (-1 where there is none), or all
    /// when <paramref name="topics"/> is null. A Dead group has none.
    /// </summary>
    public static OffsetFetchResponse.OffsetFetchResponseGroup Fetch(ClassicGroup? group, string groupId,
        List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics)
    {
        var response = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = groupId };
        var offsets = group is null || group.Is(ClassicGroupState.Dead) ? null : group.Offsets;
        if (topics is null)
        {
            if (offsets is not null)
            {
                var byTopic = new Dictionary<string, OffsetFetchResponse.OffsetFetchResponseTopics>(StringComparer.Ordinal);
                foreach (var (partition, offset) in offsets)
                {
                    if (!byTopic.TryGetValue(partition.Topic, out var topic))
                    {
                        byTopic[partition.Topic] = topic = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = partition.Topic };
                        response.Topics.Add(topic);
                    }
                    topic.Partitions.Add(Describe(partition.Partition, offset));
                }
            }
            return response;
        }
        foreach (var requested in topics)
        {
            var topic = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = requested.Name };
            foreach (int index in requested.PartitionIndexes)
            {
                OffsetAndMetadata? offset = null;
                offsets?.TryGetValue(new TopicPartition(requested.Name, index), out offset);
                topic.Partitions.Add(Describe(index, offset));
            }
            response.Topics.Add(topic);
        }
        return response;
    }

    private static OffsetFetchResponse.OffsetFetchResponsePartitions Describe(int partition, OffsetAndMetadata? offset) => new()
    {
        PartitionIndex = partition,
        CommittedOffset = offset?.CommittedOffset ?? InvalidOffset,
        CommittedLeaderEpoch = offset?.LeaderEpoch ?? OffsetAndMetadata.NoLeaderEpoch,
        Metadata = offset?.Metadata ?? "",
    };

    /// <summary>OffsetDelete: offsets of topics the group does not consume are deleted (tombstones); a group-level error otherwise.</summary>
    public void DeleteOffsets(ClassicGroup group, DeleteOffsetsWork work)
    {
        var response = new OffsetDeleteResponse();
        switch (group.State)
        {
            case ClassicGroupState.Dead:
                response.ErrorCode = (short)ErrorCode.GroupIdNotFound;
                work.Completion.TrySetResult(response);
                return;
            case ClassicGroupState.Stable or ClassicGroupState.PreparingRebalance or ClassicGroupState.CompletingRebalance when !group.IsConsumerGroup:
                response.ErrorCode = (short)ErrorCode.NonEmptyGroup;
                work.Completion.TrySetResult(response);
                return;
        }
        var records = new List<KeyValuePair<byte[], byte[]?>>();
        var deleted = new List<TopicPartition>();
        foreach (var topic in work.Request.Topics)
        {
            var responseTopic = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            bool subscribed = group.IsSubscribedToTopic(topic.Name);
            foreach (var partition in topic.Partitions)
            {
                responseTopic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)(subscribed ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None),
                });
                var topicPartition = new TopicPartition(topic.Name, partition.PartitionIndex);
                if (!subscribed && group.Offsets.ContainsKey(topicPartition))
                {
                    records.Add(new(OffsetCommitRecord.Key(group.GroupId, topic.Name, partition.PartitionIndex), null));
                    deleted.Add(topicPartition);
                }
            }
            response.Topics.Add(responseTopic);
        }
        if (records.Count == 0)
        {
            work.Completion.TrySetResult(response);
            return;
        }
        var write = store.Append(group.GroupId, records);
        WriteCompletion.After(group, write, new OffsetsDeleted(this, work, response, deleted));
    }

    private void OnOffsetsDeleted(ClassicGroup group, DeleteOffsetsWork work, OffsetDeleteResponse response, List<TopicPartition> deleted,
        ErrorCode appendError)
    {
        if (appendError != ErrorCode.None)
        {
            work.Completion.TrySetResult(new OffsetDeleteResponse { ErrorCode = (short)GroupStore.OffsetCommitError(appendError) });
            return;
        }
        foreach (var partition in deleted)
        {
            group.Offsets.Remove(partition);
        }
        LogOffsetsDeleted(logger, group.GroupId, deleted.Count);
        work.Completion.TrySetResult(response);
    }

    /// <summary>DeleteGroups for one group: only an Empty group can go; its offsets and its record are tombstoned.</summary>
    public void DeleteGroup(ClassicGroup group, DeleteGroupWork work)
    {
        switch (group.State)
        {
            case ClassicGroupState.Dead:
                work.Completion.TrySetResult(ErrorCode.GroupIdNotFound);
                return;
            case ClassicGroupState.Empty:
                break;
            default:
                work.Completion.TrySetResult(ErrorCode.NonEmptyGroup);
                return;
        }
        var records = new List<KeyValuePair<byte[], byte[]?>>();
        foreach (var partition in group.Offsets.Keys)
        {
            records.Add(new(OffsetCommitRecord.Key(group.GroupId, partition.Topic, partition.Partition), null));
        }
        int offsetCount = group.Offsets.Count;
        records.Add(new(GroupMetadataRecord.Key(group.GroupId), null));
        Forget(group);
        var write = store.Append(group.GroupId, records);
        WriteCompletion.After(group, write, new GroupDeleted(this, work, offsetCount));
    }

    private void OnGroupDeleted(ClassicGroup group, DeleteGroupWork work, int offsetCount, ErrorCode appendError)
    {
        if (appendError == ErrorCode.None)
        {
            LogGroupDeleted(logger, group.GroupId, offsetCount);
        }
        work.Completion.TrySetResult(GroupStore.OffsetCommitError(appendError));
    }

    /// <summary>
    /// Removes the group's expired offsets (tombstones), and the group itself once it is Empty with
    /// no offsets left. Which offsets may expire, and from when, follows the group:
    /// an Empty group's all, counted from when it became Empty; a Stable consumer group's offsets of
    /// topics it no longer subscribes to, counted from their commit; a group that only commits
    /// (no protocol type), all, from their commit; otherwise none.
    /// </summary>
    public void ExpireOffsets(ClassicGroup group)
    {
        if (group.Is(ClassicGroupState.Dead))
        {
            return;
        }
        long nowMs = group.NowMs();
        bool fromEmptySince = group.ProtocolType is not null && group.Is(ClassicGroupState.Empty);
        bool expires = group.ProtocolType is null || fromEmptySince ||
            (group.IsConsumerGroup && group.KnowsSubscribedTopics && group.Is(ClassicGroupState.Stable));
        var records = new List<KeyValuePair<byte[], byte[]?>>();
        if (expires)
        {
            List<TopicPartition>? expired = null;
            foreach (var (partition, offset) in group.Offsets)
            {
                long baseTimestamp = fromEmptySince && group.CurrentStateTimestampMs >= 0 ? group.CurrentStateTimestampMs : offset.CommitTimestampMs;
                if (!group.IsSubscribedToTopic(partition.Topic) && !group.PendingOffsetCommits.ContainsKey(partition) &&
                    offset.IsExpired(nowMs, baseTimestamp, config.OffsetsRetentionMs))
                {
                    (expired ??= []).Add(partition);
                }
            }
            if (expired is not null)
            {
                foreach (var partition in expired)
                {
                    group.Offsets.Remove(partition);
                    records.Add(new(OffsetCommitRecord.Key(group.GroupId, partition.Topic, partition.Partition), null));
                }
                LogOffsetsExpired(logger, group.GroupId, expired.Count);
            }
        }
        if (group.Is(ClassicGroupState.Empty) && !group.HasOffsets)
        {
            // A group that only ever committed offsets never had a record of its own to remove.
            if (group.GenerationId > 0)
            {
                records.Add(new(GroupMetadataRecord.Key(group.GroupId), null));
            }
            Forget(group);
            LogGroupExpired(logger, group.GroupId);
        }
        if (records.Count > 0)
        {
            var write = store.Append(group.GroupId, records);
            WriteCompletion.After(group, write, new TombstonesStored(this));
        }
    }

    private void OnTombstonesStored(ClassicGroup group, ErrorCode error)
    {
        if (error != ErrorCode.None)
        {
            // Not fatal: the offsets are gone from memory, and after a restart they expire again.
            LogTombstonesNotStored(logger, group.GroupId, error);
        }
    }

    /// <summary>The group is Dead: requests already queued for it see that, and new ones find no group.</summary>
    private void Forget(ClassicGroup group)
    {
        group.MarkDead();
        groups.TryRemove(new KeyValuePair<string, ClassicGroup>(group.GroupId, group));
    }

    /// <summary>An OffsetCommit; <see cref="PartitionErrors"/> holds, in request order, the errors found before the group was asked (unknown partitions).</summary>
    public sealed class CommitWork(OffsetManager manager, OffsetCommitRequest request, short version, ErrorCode[] partitionErrors)
        : GroupWork<OffsetCommitResponse>
    {
        public OffsetCommitRequest Request => request;

        public short Version => version;

        public ErrorCode[] PartitionErrors => partitionErrors;

        public override void Execute(ClassicGroup group) => manager.Commit(group, this);

        /// <summary>The response: each partition's own error if it has one, else <paramref name="error"/>.</summary>
        public OffsetCommitResponse Respond(ErrorCode error)
        {
            var response = new OffsetCommitResponse();
            int index = 0;
            foreach (var topic in request.Topics)
            {
                var responseTopic = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
                foreach (var partition in topic.Partitions)
                {
                    var own = partitionErrors[index++];
                    responseTopic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                    {
                        PartitionIndex = partition.PartitionIndex,
                        ErrorCode = (short)(own != ErrorCode.None ? own : error),
                    });
                }
                response.Topics.Add(responseTopic);
            }
            return response;
        }
    }

    /// <summary>An OffsetFetch of one group; with RequireStable it first waits for the group's writes in flight.</summary>
    public sealed class FetchWork(string groupId, List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics, bool requireStable)
        : GroupWork<OffsetFetchResponse.OffsetFetchResponseGroup>
    {
        private bool _waited;

        public override void Execute(ClassicGroup group)
        {
            var pending = group.PendingWrites;
            if (requireStable && !pending.IsCompleted && !_waited)
            {
                _waited = true;
                pending.ContinueWith(static (_, state) =>
                {
                    var (group, work) = ((ClassicGroup, FetchWork))state!;
                    group.Mailbox.Post(work);
                }, (group, this), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return;
            }
            Completion.TrySetResult(Fetch(group, groupId, topics));
        }
    }

    public sealed class DeleteOffsetsWork(OffsetManager manager, OffsetDeleteRequest request) : GroupWork<OffsetDeleteResponse>
    {
        public OffsetDeleteRequest Request => request;

        public override void Execute(ClassicGroup group) => manager.DeleteOffsets(group, this);
    }

    public sealed class DeleteGroupWork(OffsetManager manager) : GroupWork<ErrorCode>
    {
        public override void Execute(ClassicGroup group) => manager.DeleteGroup(group, this);
    }

    public sealed class ExpireOffsetsWork(OffsetManager manager) : GroupWork
    {
        public override void Execute(ClassicGroup group) => manager.ExpireOffsets(group);
    }

    private sealed class OffsetsStored(OffsetManager manager, CommitWork work, List<(TopicPartition Partition, OffsetAndMetadata Offset)> committed,
        long firstRecordOffset) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) =>
            manager.OnOffsetsStored(group, work, committed, firstRecordOffset, error);
    }

    private sealed class OffsetsDeleted(OffsetManager manager, DeleteOffsetsWork work, OffsetDeleteResponse response, List<TopicPartition> deleted)
        : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => manager.OnOffsetsDeleted(group, work, response, deleted, error);
    }

    private sealed class GroupDeleted(OffsetManager manager, DeleteGroupWork work, int offsetCount) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => manager.OnGroupDeleted(group, work, offsetCount, error);
    }

    private sealed class TombstonesStored(OffsetManager manager) : WriteCompletion
    {
        public override void OnAcknowledged(ClassicGroup group, ErrorCode error) => manager.OnTombstonesStored(group, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: deleted {Count} committed offsets")]
    private static partial void LogOffsetsDeleted(ILogger logger, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted group {GroupId} and its {Count} committed offsets")]
    private static partial void LogGroupDeleted(ILogger logger, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: {Count} committed offsets expired")]
    private static partial void LogOffsetsExpired(ILogger logger, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} is empty and has no offsets left: removed")]
    private static partial void LogGroupExpired(ILogger logger, string groupId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: tombstones for expired offsets were not stored ({Error})")]
    private static partial void LogTombstonesNotStored(ILogger logger, string groupId, ErrorCode error);
}
