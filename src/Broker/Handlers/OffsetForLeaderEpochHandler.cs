using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (API key 23), v0-4: the end offset of a leader epoch, which consumers use to
/// validate their position after a leader change (KIP-320) and followers to truncate. Kafka 4 serves
/// v2-4; v0-1 come from the same code (they lack CurrentLeaderEpoch, and v0 the answered epoch).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every partition has had one leader epoch, <see cref="TopicInfo.LeaderEpoch"/> (0), starting at
/// the log start offset, so Kafka's leader epoch cache lookup comes down to: the requested epoch 0 ends
/// at the log end offset; an epoch above it, or -1 (undefined), gets epoch and offset -1 with no error;
/// an epoch below -1, older than the first one, is answered with itself and the first epoch's start
/// offset, the log start offset.</item>
/// <item>CurrentLeaderEpoch is checked as for fetches: FENCED_LEADER_EPOCH when older than ours,
/// UNKNOWN_LEADER_EPOCH when newer, -1 skips the check.</item>
/// <item>A follower's ReplicaId (0 and up) is answered like a consumer: this node leads every partition.</item>
/// <item>Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER when the partition
/// has no log here (deleted meanwhile).</item>
/// </list>
/// </remarks>
public sealed class OffsetForLeaderEpochHandler : ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    private const int UndefinedEpoch = -1;

    private const long UndefinedEpochOffset = -1;

    public override ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    public override ApiVersionRange Versions => new(0, 4);

    public override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request,
        CancellationToken cancellationToken)
    {
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        var response = new OffsetForLeaderEpochResponse { Topics = new(request.Topics.Count) };
        foreach (var requestTopic in request.Topics)
        {
            bool topicExists = topics.TryGetTopic(requestTopic.Topic, out var topic);
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult
            {
                Topic = requestTopic.Topic,
                Partitions = new(requestTopic.Partitions.Count),
            };
            response.Topics.Add(topicResult);
            foreach (var requestPartition in requestTopic.Partitions)
            {
                var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = requestPartition.Partition };
                topicResult.Partitions.Add(result);
                ErrorCode error;
                if (!topicExists || !topic!.HasPartition(requestPartition.Partition))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (replicas.GetLog(topic.Name, requestPartition.Partition) is not { } log)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                }
                else if ((error = ReplicaManager.CheckLeaderEpoch(requestPartition.CurrentLeaderEpoch)) == ErrorCode.None)
                {
                    int leaderEpoch = requestPartition.LeaderEpoch;
                    if (leaderEpoch == TopicInfo.LeaderEpoch)
                    {
                        result.LeaderEpoch = leaderEpoch;
                        result.EndOffset = log.LogEndOffset;
                    }
                    else if (leaderEpoch < UndefinedEpoch)
                    {
                        result.LeaderEpoch = leaderEpoch;
                        result.EndOffset = log.LogStartOffset;
                    }
                    else
                    {
                        result.LeaderEpoch = UndefinedEpoch;
                        result.EndOffset = UndefinedEpochOffset;
                    }
                }
                result.ErrorCode = (short)error;
            }
        }
        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }
}
