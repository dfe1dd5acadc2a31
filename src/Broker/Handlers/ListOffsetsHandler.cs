using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// ListOffsets (API key 2), v1-10: an offset per partition for a timestamp or one of Kafka's special
/// values. v0 (several offsets per partition) was removed in Kafka 4; v11 (earliest pending upload
/// offset, KIP-1023) is tiered storage's and not served.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>-2 earliest and -4 earliest local (no tiered storage, so the same): the log start offset.
/// -1 latest: the last fetchable offset, that is the high watermark (read_uncommitted) or last stable
/// offset (read_committed, equal to it without transactions); a request from a replica or the debug
/// id -2 gets the log end offset, as Kafka gives its followers. -3 max timestamp (v7+): the first
/// record with the largest timestamp. -5 latest tiered: -1 (no tiered storage). Any other value: the
/// first record whose timestamp is at or after it, with that record's timestamp. Records at or beyond
/// the last fetchable offset are never returned; when none qualifies, offset and timestamp are -1
/// with no error, as in Kafka.</item>
/// <item>The leader epoch of a found offset is the partition's epoch, 0 (a field of v4+ only).</item>
/// <item>Errors per partition: INVALID_REQUEST for a partition listed twice, UNKNOWN_TOPIC_OR_PARTITION,
/// FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a CurrentLeaderEpoch (v4+) other than 0.
/// OFFSET_NOT_AVAILABLE (a new leader's high watermark still behind its epoch's start) cannot occur
/// with one replica.</item>
/// </list>
/// </remarks>
public sealed class ListOffsetsHandler : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    private const int ConsumerReplicaId = -1;

    private const sbyte ReadCommitted = 1;

    public override ApiKey ApiKey => ApiKey.ListOffsets;

    public override ApiVersionRange Versions => new(1, 10);

    public override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request,
        CancellationToken cancellationToken)
    {
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        var duplicates = FindDuplicates(request);
        bool fromConsumer = request.ReplicaId == ConsumerReplicaId;
        var response = new ListOffsetsResponse { Topics = new(request.Topics.Count) };
        foreach (var listTopic in request.Topics)
        {
            bool topicExists = topics.TryGetTopic(listTopic.Name, out var topic);
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse
            {
                Name = listTopic.Name,
                Partitions = new(listTopic.Partitions.Count),
            };
            response.Topics.Add(topicResponse);
            foreach (var listPartition in listTopic.Partitions)
            {
                var partitionResponse = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = listPartition.PartitionIndex };
                topicResponse.Partitions.Add(partitionResponse);
                ErrorCode error;
                PartitionLog? log = null;
                if (duplicates is not null && duplicates.Contains(new TopicPartition(listTopic.Name, listPartition.PartitionIndex)))
                {
                    error = ErrorCode.InvalidRequest;
                }
                else if (!topicExists || !topic!.HasPartition(listPartition.PartitionIndex))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if ((log = replicas.GetLog(topic.Name, listPartition.PartitionIndex)) is null)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                }
                else
                {
                    error = ReplicaManager.CheckLeaderEpoch(listPartition.CurrentLeaderEpoch);
                }
                if (error == ErrorCode.None)
                {
                    long lastFetchableOffset = fromConsumer ? log!.HighWatermark : log!.LogEndOffset;
                    error = FindOffset(log, listPartition.Timestamp, lastFetchableOffset, context.ApiVersion, partitionResponse);
                }
                partitionResponse.ErrorCode = (short)error;
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    /// <summary>Fills the found offset, timestamp and leader epoch; leaves them -1 when nothing qualifies.</summary>
    private static ErrorCode FindOffset(PartitionLog log, long timestamp, long lastFetchableOffset, short version,
        ListOffsetsResponse.ListOffsetsPartitionResponse response)
    {
        TimestampAndOffset? found;
        try
        {
            found = log.FetchOffsetByTimestamp(timestamp, lastFetchableOffset);
        }
        catch (IOException)
        {
            return ErrorCode.KafkaStorageError;
        }
        if (found is { } result && result.Offset >= 0)
        {
            response.Timestamp = result.Timestamp;
            response.Offset = result.Offset;
            if (version >= 4)
            {
                response.LeaderEpoch = TopicInfo.LeaderEpoch;
            }
        }
        return ErrorCode.None;
    }

    /// <summary>Partitions listed more than once (Kafka answers each with INVALID_REQUEST); null when there are none.</summary>
    private static HashSet<TopicPartition>? FindDuplicates(ListOffsetsRequest request)
    {
        int count = 0;
        foreach (var topic in request.Topics)
        {
            count += topic.Partitions.Count;
        }
        if (count < 2)
        {
            return null;
        }
        var seen = new HashSet<TopicPartition>(count);
        HashSet<TopicPartition>? duplicates = null;
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                var topicPartition = new TopicPartition(topic.Name, partition.PartitionIndex);
                if (!seen.Add(topicPartition))
                {
                    (duplicates ??= []).Add(topicPartition);
                }
            }
        }
        return duplicates;
    }
}
