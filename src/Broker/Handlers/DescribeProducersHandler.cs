using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeProducers (API key 61), v0 (KIP-664): the idempotent producers each partition keeps state
/// for: producer id, epoch, last sequence and last timestamp.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Without transactions no producer has a coordinator epoch or an open transaction, so
/// CoordinatorEpoch and CurrentTxnStartOffset are -1, as Kafka reports an idempotent producer.</item>
/// <item>Errors per partition, with no message: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER when
/// the partition has no log here.</item>
/// </list>
/// </remarks>
public sealed class DescribeProducersHandler : ApiHandler<DescribeProducersRequest, DescribeProducersResponse>
{
    private const int NoCoordinatorEpoch = -1;

    private const long NoTransactionStartOffset = -1;

    public override ApiKey ApiKey => ApiKey.DescribeProducers;

    public override ApiVersionRange Versions => new(0, 0);

    public override ValueTask<DescribeProducersResponse?> HandleAsync(RequestContext context, DescribeProducersRequest request,
        CancellationToken cancellationToken)
    {
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        var response = new DescribeProducersResponse { Topics = new(request.Topics.Count) };
        foreach (var requestTopic in request.Topics)
        {
            bool topicExists = topics.TryGetTopic(requestTopic.Name, out var topic);
            var topicResponse = new DescribeProducersResponse.TopicResponse
            {
                Name = requestTopic.Name,
                Partitions = new(requestTopic.PartitionIndexes.Count),
            };
            response.Topics.Add(topicResponse);
            foreach (int partitionIndex in requestTopic.PartitionIndexes)
            {
                var partitionResponse = new DescribeProducersResponse.PartitionResponse { PartitionIndex = partitionIndex };
                topicResponse.Partitions.Add(partitionResponse);
                if (!topicExists || !topic!.HasPartition(partitionIndex))
                {
                    partitionResponse.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                }
                else if (replicas.GetLog(topic.Name, partitionIndex) is not { } log)
                {
                    partitionResponse.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                }
                else
                {
                    var producers = log.ActiveProducers();
                    partitionResponse.ActiveProducers = new(producers.Count);
                    foreach (var producer in producers)
                    {
                        partitionResponse.ActiveProducers.Add(new DescribeProducersResponse.ProducerState
                        {
                            ProducerId = producer.ProducerId,
                            ProducerEpoch = producer.ProducerEpoch,
                            LastSequence = producer.LastSequence,
                            LastTimestamp = producer.LastTimestamp,
                            CoordinatorEpoch = NoCoordinatorEpoch,
                            CurrentTxnStartOffset = NoTransactionStartOffset,
                        });
                    }
                }
            }
        }
        return ValueTask.FromResult<DescribeProducersResponse?>(response);
    }
}
