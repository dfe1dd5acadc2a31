using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DeleteRecords (API key 21), v0-2 (KIP-107): moves each partition's log start offset up to the given
/// offset, deleting the segments wholly below it, and answers the new low watermark.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Offset -1 means the high watermark. Another negative offset, or one beyond the high watermark,
/// is OFFSET_OUT_OF_RANGE; one at or below the log start offset changes nothing and answers it.</item>
/// <item>Errors per partition, with low watermark -1: UNKNOWN_TOPIC_OR_PARTITION; NOT_LEADER_OR_FOLLOWER
/// when the partition has no log here; INVALID_TOPIC_EXCEPTION for an internal topic; POLICY_VIOLATION
/// when <c>cleanup.policy</c> lacks <c>delete</c> (compact only), as Kafka refuses those;
/// KAFKA_STORAGE_ERROR when deleting segment files fails.</item>
/// <item>The timeout is not waited on: Kafka waits for every replica's low watermark, and this node is
/// the only replica.</item>
/// <item>The new log start offset reaches <c>log-start-offset-checkpoint</c> with the periodic
/// checkpoint (<c>log.flush.start.offset.checkpoint.interval.ms</c>) or at a clean shutdown, as in
/// Kafka; after a crash in between, the log starts again at its first remaining segment.</item>
/// </list>
/// </remarks>
public sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    private const long HighWatermarkOffset = -1;

    private const long InvalidLowWatermark = -1;

    public override ApiKey ApiKey => ApiKey.DeleteRecords;

    public override ApiVersionRange Versions => new(0, 2);

    public override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request,
        CancellationToken cancellationToken)
    {
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        var response = new DeleteRecordsResponse { Topics = new(request.Topics.Count) };
        foreach (var requestTopic in request.Topics)
        {
            bool topicExists = topics.TryGetTopic(requestTopic.Name, out var topic);
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult
            {
                Name = requestTopic.Name,
                Partitions = new(requestTopic.Partitions.Count),
            };
            response.Topics.Add(topicResult);
            foreach (var requestPartition in requestTopic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = requestPartition.PartitionIndex,
                    LowWatermark = InvalidLowWatermark,
                };
                topicResult.Partitions.Add(result);
                ErrorCode error;
                if (!topicExists || !topic!.HasPartition(requestPartition.PartitionIndex))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (replicas.GetLog(topic.Name, requestPartition.PartitionIndex) is not { } log)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                }
                else if (topic.IsInternal)
                {
                    error = ErrorCode.InvalidTopicException;
                }
                else if ((log.Config.CleanupPolicy & CleanupPolicy.Delete) == 0)
                {
                    error = ErrorCode.PolicyViolation;
                }
                else
                {
                    error = DeleteRecords(log, requestPartition.Offset, result);
                }
                result.ErrorCode = (short)error;
            }
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    private static ErrorCode DeleteRecords(PartitionLog log, long offset, DeleteRecordsResponse.DeleteRecordsPartitionResult result)
    {
        long newLogStartOffset = offset == HighWatermarkOffset ? log.HighWatermark : offset;
        long lowWatermark;
        try
        {
            if (!log.TryAdvanceLogStartOffset(newLogStartOffset, out lowWatermark))
            {
                return ErrorCode.OffsetOutOfRange;
            }
        }
        catch (IOException)
        {
            return ErrorCode.KafkaStorageError;
        }
        result.LowWatermark = lowWatermark;
        return ErrorCode.None;
    }
}
