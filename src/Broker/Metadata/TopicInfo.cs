using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// One topic as the broker knows it. Immutable: a change (more partitions, new configs) publishes a
/// new instance in <see cref="TopicRegistry"/>, so a reader always sees one consistent version.
/// Every partition is led by this node at leader epoch <see cref="LeaderEpoch"/>, with this node as
/// its only replica.
/// </summary>
public sealed class TopicInfo
{
    /// <summary>
    /// The leader epoch of every partition. A single node never changes leaders, and Kafka starts a
    /// partition's epoch at 0; Metadata, Produce (batch headers) and Fetch all use this value.
    /// </summary>
    public const int LeaderEpoch = 0;

    /// <summary>Every partition has one replica: this node.</summary>
    public const short ReplicationFactor = 1;

    public TopicInfo(string name, KafkaUuid topicId, int partitionCount, IReadOnlyDictionary<string, string> overrides,
        LogConfig config)
    {
        Name = name;
        TopicId = topicId;
        PartitionCount = partitionCount;
        Overrides = overrides;
        Config = config;
        IsInternal = TopicNames.IsInternal(name);
    }

    public string Name { get; }

    public KafkaUuid TopicId { get; }

    /// <summary>Partitions are numbered 0 to PartitionCount - 1.</summary>
    public int PartitionCount { get; }

    /// <summary>The topic's own config values (Kafka's DYNAMIC_TOPIC_CONFIG), by config name, in canonical text.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    /// <summary>The effective config: <see cref="Overrides"/> over the broker's defaults.</summary>
    public LogConfig Config { get; }

    /// <summary>True for Kafka's internal topics (<c>__consumer_offsets</c>, <c>__transaction_state</c>, <c>__share_group_state</c>).</summary>
    public bool IsInternal { get; }

    public bool HasPartition(int partition) => (uint)partition < (uint)PartitionCount;

    public override string ToString() => $"{Name} ({TopicId}, {PartitionCount} partitions)";
}
