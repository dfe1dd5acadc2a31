namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// A topic to create, as CreateTopics describes it: -1 partitions or replication factor means the
/// broker default (<c>num.partitions</c>, <c>default.replication.factor</c>); explicit
/// <see cref="Assignments"/> require both to be -1. Config values may be null only to be refused,
/// as Kafka refuses them.
/// </summary>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    public IReadOnlyList<ReplicaAssignment> Assignments { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string?>> Configs { get; init; } = [];
}

/// <summary>The replicas of one partition, chosen by the client (CreateTopics) instead of the broker.</summary>
public readonly record struct ReplicaAssignment(int PartitionIndex, IReadOnlyList<int> BrokerIds);

/// <summary>The outcome of creating a topic: the error, or the topic as created (not registered when validating only).</summary>
public readonly record struct TopicCreation(ApiError Error, TopicInfo? Topic);
