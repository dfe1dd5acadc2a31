using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeTopicPartitions (KIP-966), v0: the topics' partitions, paged as Kafka pages them. Every
/// partition is led by this node at leader epoch 0 with this node as its only replica and in-sync
/// replica; no eligible leader replicas and no offline replicas.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>No topics listed: every topic; otherwise the named ones (duplicates once). Either way in
/// ordinal name order, starting at the cursor's topic (names before it are skipped) and, in that
/// topic, at the cursor's partition.</item>
/// <item>At most min(ResponsePartitionLimit, max.request.partition.size.limit = 2000), at least 1,
/// partitions per response. A topic cut short sets NextCursor to its first partition not sent; a
/// topic not reached because the limit was used up sets NextCursor to that topic at partition 0.</item>
/// <item>A named topic that does not exist: UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an
/// illegal name), with no partitions; it uses none of the limit. When listing all topics there are none such.</item>
/// <item>A cursor whose topic is not among the named ones, or with a negative partition:
/// INVALID_REQUEST on every named topic, as Kafka answers an InvalidRequestException.</item>
/// <item>Topic authorized operations are always filled in: every topic operation (there is no authorizer).</item>
/// </list>
/// </remarks>
public sealed class DescribeTopicPartitionsHandler : ApiHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>
{
    /// <summary>Kafka's <c>max.request.partition.size.limit</c> default; KafkaSharp does not make it configurable.</summary>
    public const int MaxRequestPartitionSizeLimit = 2000;

    public override ApiKey ApiKey => ApiKey.DescribeTopicPartitions;

    public override ApiVersionRange Versions => new(0, 0);

    public override ValueTask<DescribeTopicPartitionsResponse?> HandleAsync(RequestContext context,
        DescribeTopicPartitionsRequest request, CancellationToken cancellationToken)
    {
        var cursor = request.Cursor;
        var cursorTopic = cursor?.TopicName ?? "";
        var registry = context.Services.Topics;
        var allTopics = request.Topics.Count == 0;
        List<string> names;
        if (allTopics)
        {
            names = [];
            foreach (var topic in registry.Topics)
            {
                if (string.CompareOrdinal(topic.Name, cursorTopic) >= 0)
                {
                    names.Add(topic.Name);
                }
            }
        }
        else
        {
            var named = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var topic in request.Topics)
            {
                if (string.CompareOrdinal(topic.Name, cursorTopic) >= 0)
                {
                    named.Add(topic.Name);
                }
            }
            if (cursor is not null && !named.Contains(cursor.TopicName))
            {
                return Respond(ErrorResponse(request, ErrorCode.InvalidRequest));
            }
            names = [.. named];
        }
        if (cursor is not null && cursor.PartitionIndex < 0)
        {
            return Respond(ErrorResponse(request, ErrorCode.InvalidRequest));
        }

        var nodeId = context.Services.NodeId;
        var remaining = Math.Max(Math.Min(MaxRequestPartitionSizeLimit, request.ResponsePartitionLimit), 1);
        var response = new DescribeTopicPartitionsResponse();
        foreach (var name in names)
        {
            if (remaining == 0)
            {
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = name, PartitionIndex = 0 };
                break;
            }
            if (!registry.TryGetTopic(name, out var topic))
            {
                if (!allTopics)
                {
                    response.Topics.Add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
                    {
                        ErrorCode = (short)(TopicNames.Validate(name) is null
                            ? ErrorCode.UnknownTopicOrPartition
                            : ErrorCode.InvalidTopicException),
                        Name = name,
                        IsInternal = TopicNames.IsInternal(name),
                        TopicAuthorizedOperations = MetadataHandler.AllTopicOperations,
                    });
                }
                continue;
            }
            var start = cursor is not null && name == cursorTopic ? cursor.PartitionIndex : 0;
            var end = (int)Math.Min(topic.PartitionCount, (long)start + remaining);
            response.Topics.Add(Describe(topic, start, end, nodeId));
            if (end < topic.PartitionCount)
            {
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = name, PartitionIndex = end };
                break;
            }
            remaining -= Math.Max(end - start, 0);
        }
        return Respond(response);
    }

    private static DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic Describe(TopicInfo topic, int start,
        int end, int nodeId)
    {
        var partitions = new List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition>(Math.Max(end - start, 0));
        for (var partition = start; partition < end; partition++)
        {
            partitions.Add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition
            {
                PartitionIndex = partition,
                LeaderId = nodeId,
                LeaderEpoch = TopicInfo.LeaderEpoch,
                ReplicaNodes = [nodeId],
                IsrNodes = [nodeId],
                EligibleLeaderReplicas = [],
                LastKnownElr = [],
                OfflineReplicas = [],
            });
        }
        return new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = topic.IsInternal,
            Partitions = partitions,
            TopicAuthorizedOperations = MetadataHandler.AllTopicOperations,
        };
    }

    /// <summary>Kafka's answer to a request it rejects as a whole: the error on every named topic, nothing else.</summary>
    private static DescribeTopicPartitionsResponse ErrorResponse(DescribeTopicPartitionsRequest request, ErrorCode error)
    {
        var response = new DescribeTopicPartitionsResponse();
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
            {
                ErrorCode = (short)error,
                Name = topic.Name,
            });
        }
        return response;
    }

    private static ValueTask<DescribeTopicPartitionsResponse?> Respond(DescribeTopicPartitionsResponse response) =>
        ValueTask.FromResult<DescribeTopicPartitionsResponse?>(response);
}
