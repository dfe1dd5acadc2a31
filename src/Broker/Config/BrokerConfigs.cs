using System.Collections.Frozen;

namespace KafkaSharp.Broker.Config;

/// <summary>
/// Every broker config KafkaSharp knows: Kafka's names, types and defaults (Kafka 4.x), and our
/// own switches under the <c>kafkasharp.</c> prefix. DescribeConfigs lists exactly these. A new
/// config is one row here plus, if code reads it, a property on <see cref="BrokerConfig"/>.
/// </summary>
public static class BrokerConfigs
{
    public const string OwnPrefix = "kafkasharp.";

    public static readonly ConfigDefinition NodeId = new("node.id", ConfigType.Int, "1",
        "The id of this node. KafkaSharp runs a single node; the id appears in Metadata and meta.properties.", atLeast: 0);

    public static readonly ConfigDefinition BrokerId = new("broker.id", ConfigType.Int, "-1",
        "Older name of node.id. When set it must equal node.id (if that is set too).", atLeast: -1);

    public static readonly ConfigDefinition Listeners = new("listeners", ConfigType.List, "PLAINTEXT://:9092",
        "Comma-separated NAME://host:port addresses to listen on. An empty host binds every interface; port 0 picks a free port.");

    public static readonly ConfigDefinition AdvertisedListeners = new("advertised.listeners", ConfigType.List, null,
        "The addresses given to clients in Metadata, per listener name. Defaults to listeners, with an empty host shown as localhost.");

    public static readonly ConfigDefinition ListenerSecurityProtocolMap = new("listener.security.protocol.map", ConfigType.List,
        "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
        "Maps listener names to security protocols. KafkaSharp serves PLAINTEXT listeners only.");

    public static readonly ConfigDefinition SocketRequestMaxBytes = new("socket.request.max.bytes", ConfigType.Int, "104857600",
        "The largest request frame accepted; a larger one closes the connection.", atLeast: 1);

    public static readonly ConfigDefinition LogDirs = new("log.dirs", ConfigType.List, null,
        "Comma-separated data directories. When unset, log.dir is used.");

    public static readonly ConfigDefinition LogDir = new("log.dir", ConfigType.String, "./data",
        "The data directory, used when log.dirs is unset.");

    public static readonly ConfigDefinition NumPartitions = new("num.partitions", ConfigType.Int, "1",
        "Partition count of automatically created topics and of CreateTopics requests that leave it to the broker.", atLeast: 1);

    public static readonly ConfigDefinition DefaultReplicationFactor = new("default.replication.factor", ConfigType.Int, "1",
        "Replication factor of automatically created topics.");

    public static readonly ConfigDefinition AutoCreateTopicsEnable = new("auto.create.topics.enable", ConfigType.Boolean, "true",
        "Whether Metadata (when the client allows it) creates a topic that does not exist.");

    public static readonly ConfigDefinition DeleteTopicEnable = new("delete.topic.enable", ConfigType.Boolean, "true",
        "Whether DeleteTopics may delete topics.");

    public static readonly ConfigDefinition MessageMaxBytes = new("message.max.bytes", ConfigType.Int, "1048588",
        "The largest record batch accepted (after compression); topics override it with max.message.bytes.", atLeast: 0);

    public static readonly ConfigDefinition LogSegmentBytes = new("log.segment.bytes", ConfigType.Int, "1073741824",
        "The size at which a segment is rolled.", atLeast: 14);

    public static readonly ConfigDefinition LogRollMs = new("log.roll.ms", ConfigType.Long, null,
        "The age at which a segment is rolled; when unset, log.roll.hours applies.", atLeast: 1);

    public static readonly ConfigDefinition LogRollHours = new("log.roll.hours", ConfigType.Int, "168",
        "The age in hours at which a segment is rolled, used when log.roll.ms is unset.", atLeast: 1);

    public static readonly ConfigDefinition LogRetentionMs = new("log.retention.ms", ConfigType.Long, null,
        "How long to keep a segment before deleting it; -1 keeps it forever. Takes precedence over minutes and hours.");

    public static readonly ConfigDefinition LogRetentionMinutes = new("log.retention.minutes", ConfigType.Int, null,
        "Retention in minutes, used when log.retention.ms is unset.");

    public static readonly ConfigDefinition LogRetentionHours = new("log.retention.hours", ConfigType.Int, "168",
        "Retention in hours, used when log.retention.ms and log.retention.minutes are unset.");

    public static readonly ConfigDefinition LogRetentionBytes = new("log.retention.bytes", ConfigType.Long, "-1",
        "The size a partition may grow to before old segments are deleted; -1 means no limit.");

    public static readonly ConfigDefinition LogRetentionCheckIntervalMs = new("log.retention.check.interval.ms", ConfigType.Long, "300000",
        "How often the retention policy is applied.", atLeast: 1);

    public static readonly ConfigDefinition LogIndexIntervalBytes = new("log.index.interval.bytes", ConfigType.Int, "4096",
        "Bytes of records between two offset index entries.", atLeast: 0);

    public static readonly ConfigDefinition LogIndexSizeMaxBytes = new("log.index.size.max.bytes", ConfigType.Int, "10485760",
        "The largest size of an offset or time index file; a full index rolls the segment.", atLeast: 4);

    public static readonly ConfigDefinition LogFlushIntervalMessages = new("log.flush.interval.messages", ConfigType.Long, "9223372036854775807",
        "Records appended to a partition before it is fsynced.", atLeast: 1);

    public static readonly ConfigDefinition LogFlushIntervalMs = new("log.flush.interval.ms", ConfigType.Long, null,
        "The longest time records stay in a partition unflushed; when unset, only log.flush.interval.messages applies.", atLeast: 0);

    public static readonly ConfigDefinition LogFlushSchedulerIntervalMs = new("log.flush.scheduler.interval.ms", ConfigType.Long,
        "9223372036854775807", "How often the flusher checks whether a partition is due for an fsync by log.flush.interval.ms.");

    public static readonly ConfigDefinition LogFlushOffsetCheckpointIntervalMs = new("log.flush.offset.checkpoint.interval.ms",
        ConfigType.Int, "60000", "How often the recovery points are checkpointed.", atLeast: 0);

    public static readonly ConfigDefinition LogFlushStartOffsetCheckpointIntervalMs = new("log.flush.start.offset.checkpoint.interval.ms",
        ConfigType.Int, "60000", "How often the log start offsets are checkpointed.", atLeast: 0);

    public static readonly ConfigDefinition LogCleanupPolicy = new("log.cleanup.policy", ConfigType.List, "delete",
        "Default cleanup policy of topics: delete, compact, or both.", validValues: ["delete", "compact"]);

    public static readonly ConfigDefinition LogCleanerEnable = new("log.cleaner.enable", ConfigType.Boolean, "true",
        "Run the log cleaner, which compacts topics with cleanup.policy=compact (including __consumer_offsets). Deprecated in Kafka 4.1.");

    public static readonly ConfigDefinition LogCleanerThreads = new("log.cleaner.threads", ConfigType.Int, "1",
        "Log cleaner threads. KafkaSharp runs one, which gets the whole dedupe and I/O buffers; a larger value is accepted with a warning.",
        atLeast: 0);

    public static readonly ConfigDefinition LogCleanerIoMaxBytesPerSecond = new("log.cleaner.io.max.bytes.per.second", ConfigType.Double,
        "1.7976931348623157E308", "The read plus write rate the log cleaner is held to. Not enforced by KafkaSharp; a lower value is accepted with a warning.");

    public static readonly ConfigDefinition LogCleanerDedupeBufferSize = new("log.cleaner.dedupe.buffer.size", ConfigType.Long, "134217728",
        "Memory for the log cleaner's key to offset map; more lets one pass compact more records. At least 1 MiB per cleaner thread.");

    public static readonly ConfigDefinition LogCleanerIoBufferSize = new("log.cleaner.io.buffer.size", ConfigType.Int, "524288",
        "Memory for the log cleaner's read and write buffers (half each); they grow for a batch that does not fit.", atLeast: 0);

    public static readonly ConfigDefinition LogCleanerIoBufferLoadFactor = new("log.cleaner.io.buffer.load.factor", ConfigType.Double, "0.9",
        "How full the log cleaner's key to offset map may get: higher compacts more per pass, with more hash collisions.");

    public static readonly ConfigDefinition LogCleanerBackoffMs = new("log.cleaner.backoff.ms", ConfigType.Long, "15000",
        "How long the log cleaner sleeps when no log needs cleaning.", atLeast: 0);

    public static readonly ConfigDefinition LogCleanerMinCleanableRatio = new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5",
        "Default min.cleanable.dirty.ratio of topics: the share of a compacted log that must be uncleaned before it is cleaned.",
        atLeast: 0, atMost: 1);

    public static readonly ConfigDefinition LogCleanerDeleteRetentionMs = new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000",
        "Default delete.retention.ms of topics: how long a compacted topic keeps a tombstone once cleaned.", atLeast: 0);

    public static readonly ConfigDefinition LogCleanerMinCompactionLagMs = new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0",
        "Default min.compaction.lag.ms of topics: the shortest time a record stays uncompacted.", atLeast: 0);

    public static readonly ConfigDefinition LogCleanerMaxCompactionLagMs = new("log.cleaner.max.compaction.lag.ms", ConfigType.Long,
        "9223372036854775807", "Default max.compaction.lag.ms of topics: the longest time a record stays uncompacted.", atLeast: 1);

    public static readonly ConfigDefinition LogMessageTimestampType = new("log.message.timestamp.type", ConfigType.String, "CreateTime",
        "Default timestamp type of topics: the producer's CreateTime or the broker's LogAppendTime.",
        validValues: ["CreateTime", "LogAppendTime"]);

    public static readonly ConfigDefinition CompressionType = new("compression.type", ConfigType.String, "producer",
        "Default compression of topics; 'producer' keeps what the producer sent.",
        validValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]);

    public static readonly ConfigDefinition MinInsyncReplicas = new("min.insync.replicas", ConfigType.Int, "1",
        "Replicas that must acknowledge an acks=all write.", atLeast: 1);

    public static readonly ConfigDefinition OffsetsTopicNumPartitions = new("offsets.topic.num.partitions", ConfigType.Int, "50",
        "Partition count of the internal __consumer_offsets topic.", atLeast: 1);

    public static readonly ConfigDefinition OffsetsRetentionMinutes = new("offsets.retention.minutes", ConfigType.Int, "10080",
        "How long committed offsets of an empty group are kept.", atLeast: 1);

    public static readonly ConfigDefinition GroupInitialRebalanceDelayMs = new("group.initial.rebalance.delay.ms", ConfigType.Int, "3000",
        "How long a new classic group waits for more members before its first rebalance.");

    public static readonly ConfigDefinition GroupMinSessionTimeoutMs = new("group.min.session.timeout.ms", ConfigType.Int, "6000",
        "The smallest session timeout a classic group member may ask for.");

    public static readonly ConfigDefinition GroupMaxSessionTimeoutMs = new("group.max.session.timeout.ms", ConfigType.Int, "1800000",
        "The largest session timeout a classic group member may ask for.");

    public static readonly ConfigDefinition GroupMaxSize = new("group.max.size", ConfigType.Int, "2147483647",
        "The most members a classic group may have.", atLeast: 1);

    public static readonly ConfigDefinition OffsetMetadataMaxBytes = new("offset.metadata.max.bytes", ConfigType.Int, "4096",
        "The longest metadata string an offset commit may carry.");

    public static readonly ConfigDefinition OffsetsRetentionCheckIntervalMs = new("offsets.retention.check.interval.ms", ConfigType.Long, "600000",
        "How often committed offsets are checked for expiry.", atLeast: 1);

    public static readonly ConfigDefinition OffsetsCommitTimeoutMs = new("offsets.commit.timeout.ms", ConfigType.Int, "5000",
        "How long an offset commit or group change may wait for its write to __consumer_offsets.", atLeast: 1);

    public static readonly ConfigDefinition OffsetsLoadBufferSize = new("offsets.load.buffer.size", ConfigType.Int, "5242880",
        "The bytes read at a time when loading __consumer_offsets at start.", atLeast: 1);

    public static readonly ConfigDefinition ProducerIdExpirationMs = new("producer.id.expiration.ms", ConfigType.Int, "86400000",
        "How long a partition keeps the state of an idempotent producer that has not written to it (measured from its last batch's timestamp).",
        atLeast: 1);

    public static readonly ConfigDefinition ProducerIdExpirationCheckIntervalMs = new("producer.id.expiration.check.interval.ms", ConfigType.Int,
        "600000", "How often partitions look for producers to expire by producer.id.expiration.ms.", atLeast: 1);

    public static readonly ConfigDefinition TransactionMaxTimeoutMs = new("transaction.max.timeout.ms", ConfigType.Int, "900000",
        "The largest transaction timeout InitProducerId accepts (INVALID_TRANSACTION_TIMEOUT above it).", atLeast: 1);

    public static readonly ConfigDefinition DurableHighWatermark = new(OwnPrefix + "durable.high.watermark", ConfigType.Boolean, "false",
        "When true, the high watermark covers only fsynced records, so acks=all answers once the records are on disk (appends during one fsync share the next). When false, Kafka's behaviour: records are acknowledged from the page cache and fsynced by the flush settings.");

    public static readonly ConfigDefinition FetchZeroCopy = new(OwnPrefix + "fetch.zero.copy", ConfigType.Boolean, "true",
        "Send fetched records from the segment files with sendfile(2). When false, records are copied once into a pooled buffer, as a TLS listener must.");

    /// <summary>All definitions, in the order DescribeConfigs lists them.</summary>
    public static readonly IReadOnlyList<ConfigDefinition> All =
    [
        NodeId, BrokerId, Listeners, AdvertisedListeners, ListenerSecurityProtocolMap, SocketRequestMaxBytes,
        LogDirs, LogDir, NumPartitions, DefaultReplicationFactor, AutoCreateTopicsEnable, DeleteTopicEnable,
        MessageMaxBytes, LogSegmentBytes, LogRollMs, LogRollHours, LogRetentionMs, LogRetentionMinutes,
        LogRetentionHours, LogRetentionBytes, LogRetentionCheckIntervalMs, LogIndexIntervalBytes,
        LogIndexSizeMaxBytes, LogFlushIntervalMessages, LogFlushIntervalMs, LogFlushSchedulerIntervalMs,
        LogFlushOffsetCheckpointIntervalMs, LogFlushStartOffsetCheckpointIntervalMs, LogCleanupPolicy,
        LogCleanerEnable, LogCleanerThreads, LogCleanerIoMaxBytesPerSecond, LogCleanerDedupeBufferSize,
        LogCleanerIoBufferSize, LogCleanerIoBufferLoadFactor, LogCleanerBackoffMs, LogCleanerMinCleanableRatio,
        LogCleanerDeleteRetentionMs, LogCleanerMinCompactionLagMs, LogCleanerMaxCompactionLagMs,
        LogMessageTimestampType, CompressionType, MinInsyncReplicas, OffsetsTopicNumPartitions,
        OffsetsRetentionMinutes, GroupInitialRebalanceDelayMs, GroupMinSessionTimeoutMs,
        GroupMaxSessionTimeoutMs, GroupMaxSize, OffsetMetadataMaxBytes, OffsetsRetentionCheckIntervalMs,
        OffsetsCommitTimeoutMs, OffsetsLoadBufferSize, ProducerIdExpirationMs, ProducerIdExpirationCheckIntervalMs,
        TransactionMaxTimeoutMs, DurableHighWatermark, FetchZeroCopy,
    ];

    private static readonly FrozenDictionary<string, ConfigDefinition> ByName =
        All.ToFrozenDictionary(definition => definition.Name, StringComparer.Ordinal);

    public static ConfigDefinition? Find(string name) => ByName.GetValueOrDefault(name);
}
