using System.Globalization;
using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Metadata;

/// <summary>How Kafka creates its internal topics, for auto-creation and the coordinators.</summary>
public static class InternalTopics
{
    /// <summary>Kafka's <c>offsets.topic.segment.bytes</c> default.</summary>
    private const int OffsetsTopicSegmentBytes = 100 * 1024 * 1024;

    /// <summary>
    /// <c>__consumer_offsets</c> as Kafka's group coordinator creates it: <c>offsets.topic.num.partitions</c>
    /// partitions, compacted, batches kept as the producer compressed them, 100 MiB segments.
    /// </summary>
    public static NewTopic ConsumerOffsets(BrokerConfig config) => new(TopicNames.ConsumerOffsets, config.OffsetsTopicNumPartitions)
    {
        Configs =
        [
            new("cleanup.policy", "compact"),
            new("compression.type", "producer"),
            new("segment.bytes", OffsetsTopicSegmentBytes.ToString(CultureInfo.InvariantCulture)),
        ],
    };

    /// <summary>
    /// What a Metadata request creates for an unknown topic: an ordinary topic with
    /// <c>num.partitions</c> and <c>default.replication.factor</c>, or <c>__consumer_offsets</c> as its
    /// coordinator would. Null for <c>__transaction_state</c> and <c>__share_group_state</c>:
    /// KafkaSharp has no coordinators for them, and creating them as ordinary topics would give
    /// them the wrong layout.
    /// </summary>
    public static NewTopic? ForAutoCreation(string name, BrokerConfig config) => name switch
    {
        TopicNames.ConsumerOffsets => ConsumerOffsets(config),
        TopicNames.TransactionState or TopicNames.ShareGroupState => null,
        _ => new NewTopic(name, config.NumPartitions, (short)config.DefaultReplicationFactor),
    };
}
