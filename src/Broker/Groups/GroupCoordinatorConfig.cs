using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Groups;

/// <summary>The group coordinator's settings, with Kafka's config names and defaults.</summary>
internal sealed record GroupCoordinatorConfig
{
    /// <summary><c>offsets.topic.num.partitions</c>: partitions of <c>__consumer_offsets</c> when the coordinator creates it.</summary>
    public int OffsetsTopicNumPartitions { get; init; } = 50;

    /// <summary><c>group.min.session.timeout.ms</c>.</summary>
    public int GroupMinSessionTimeoutMs { get; init; } = 6_000;

    /// <summary><c>group.max.session.timeout.ms</c>.</summary>
    public int GroupMaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary><c>group.initial.rebalance.delay.ms</c>: how long a new group waits for more members before its first generation.</summary>
    public int GroupInitialRebalanceDelayMs { get; init; } = 3_000;

    /// <summary><c>group.max.size</c>.</summary>
    public int GroupMaxSize { get; init; } = int.MaxValue;

    /// <summary><c>offset.metadata.max.bytes</c>: the longest metadata string of a commit (in UTF-16 chars, as Kafka counts).</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4_096;

    /// <summary><c>offsets.retention.minutes</c>, in milliseconds.</summary>
    public long OffsetsRetentionMs { get; init; } = 7 * 24 * 60 * 60_000L;

    /// <summary><c>offsets.retention.check.interval.ms</c>.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600_000;

    /// <summary><c>offsets.commit.timeout.ms</c>: how long a write to <c>__consumer_offsets</c> may wait to be acknowledged.</summary>
    public int OffsetCommitTimeoutMs { get; init; } = 5_000;

    /// <summary><c>offsets.load.buffer.size</c>: the bytes read at a time when loading a partition of <c>__consumer_offsets</c>.</summary>
    public int OffsetsLoadBufferSize { get; init; } = 5 * 1024 * 1024;

    /// <summary>
    /// How long a member that joined in this rebalance may wait for its JoinGroup response before
    /// it is dropped (Kafka's fixed 5 minutes): it cannot heartbeat, and its connection may be gone.
    /// </summary>
    public int NewMemberJoinTimeoutMs { get; init; } = 5 * 60_000;

    public static GroupCoordinatorConfig From(BrokerConfig config) => new()
    {
        OffsetsTopicNumPartitions = config.OffsetsTopicNumPartitions,
        GroupMinSessionTimeoutMs = config.GroupMinSessionTimeoutMs,
        GroupMaxSessionTimeoutMs = config.GroupMaxSessionTimeoutMs,
        GroupInitialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs,
        GroupMaxSize = config.GroupMaxSize,
        OffsetMetadataMaxBytes = config.OffsetMetadataMaxBytes,
        OffsetsRetentionMs = config.OffsetsRetentionMinutes * 60_000L,
        OffsetsRetentionCheckIntervalMs = config.OffsetsRetentionCheckIntervalMs,
        OffsetCommitTimeoutMs = config.OffsetsCommitTimeoutMs,
        OffsetsLoadBufferSize = config.OffsetsLoadBufferSize,
    };
}
