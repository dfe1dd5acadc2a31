using System.Collections.Frozen;

namespace KafkaSharp.Storage;

/// <summary>
/// Every topic config of Kafka 4.x with its default, type, documentation and broker-wide synonym,
/// for CreateTopics/AlterConfigs validation (<see cref="LogConfig.TryCreate"/>) and DescribeConfigs.
/// Configs that storage does not act on (replication, tiered storage) are
/// validated and kept, so clients that set them are not refused.
/// </summary>
public static class TopicConfigs
{
    private const long Day = 24 * 3_600_000L;

    public static IReadOnlyList<TopicConfigDefinition> All { get; } =
    [
        new("cleanup.policy", TopicConfigType.List, "delete", "log.cleanup.policy",
            "Comma-separated retention policies: delete (drop old segments by time and size) and/or compact (keep the latest record per key).",
            (c, v) => c with { CleanupPolicy = ParseCleanupPolicy((string[])v) }, validValues: ["compact", "delete"]),
        new("compression.type", TopicConfigType.String, "producer", "compression.type",
            "The codec batches are stored with: producer keeps what the producer sent, uncompressed stores them plain, or one of gzip, snappy, lz4, zstd.",
            (c, v) => c with { CompressionType = (string)v }, validValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        new("compression.gzip.level", TopicConfigType.Int, "-1", "compression.gzip.level",
            "Compression level when compression.type is gzip; -1 uses the codec's default.",
            (c, v) => c with { CompressionGzipLevel = (int)v }, validInteger: level => level == -1 || level is >= 1 and <= 9, validIntegerText: "[1,...,9] or -1"),
        new("compression.lz4.level", TopicConfigType.Int, "9", "compression.lz4.level",
            "Compression level when compression.type is lz4.",
            (c, v) => c with { CompressionLz4Level = (int)v }, atLeast: 1, atMost: 17),
        new("compression.zstd.level", TopicConfigType.Int, "3", "compression.zstd.level",
            "Compression level when compression.type is zstd.",
            (c, v) => c with { CompressionZstdLevel = (int)v }, atLeast: -131072, atMost: 22),
        new("delete.retention.ms", TopicConfigType.Long, "86400000", "log.cleaner.delete.retention.ms",
            "How long the log cleaner keeps a tombstone (a record with a null value) of a compacted topic after it first kept it; consumers reading from the start within this time see the delete.",
            (c, v) => c with { DeleteRetentionMs = (long)v }, atLeast: 0),
        new("file.delete.delay.ms", TopicConfigType.Long, "60000", "log.segment.delete.delay.ms",
            "How long a deleted segment's files stay on disk, so fetches already reading them can finish.",
            (c, v) => c with { FileDeleteDelayMs = (long)v }, atLeast: 0),
        new("flush.messages", TopicConfigType.Long, long.MaxValue.ToString(), "log.flush.interval.messages",
            "Number of records appended since the last fsync that makes the log fsync again. The default leaves flushing to the operating system.",
            (c, v) => c with { FlushMessages = (long)v }, atLeast: 1),
        new("flush.ms", TopicConfigType.Long, long.MaxValue.ToString(), "log.flush.interval.ms",
            "Time since the last fsync after which the log is fsynced again (checked every log.flush.scheduler.interval.ms).",
            (c, v) => c with { FlushMs = (long)v }, atLeast: 0),
        new("follower.replication.throttled.replicas", TopicConfigType.List, "", null,
            "Replicas whose follower fetches are throttled. KafkaSharp runs a single node; the value is kept.",
            null),
        new("index.interval.bytes", TopicConfigType.Int, "4096", "log.index.interval.bytes",
            "Bytes appended between two offset index entries: smaller values make lookups scan less and indexes grow faster.",
            (c, v) => c with { IndexIntervalBytes = (int)v }, atLeast: 0),
        new("leader.replication.throttled.replicas", TopicConfigType.List, "", null,
            "Replicas whose leader-side replication is throttled. KafkaSharp runs a single node; the value is kept.",
            null),
        new("local.retention.bytes", TopicConfigType.Long, "-2", "log.local.retention.bytes",
            "Local size limit for tiered topics; -2 means retention.bytes. Tiered storage is not supported; the value is kept.",
            null, atLeast: -2),
        new("local.retention.ms", TopicConfigType.Long, "-2", "log.local.retention.ms",
            "Local time limit for tiered topics; -2 means retention.ms. Tiered storage is not supported; the value is kept.",
            null, atLeast: -2),
        new("max.compaction.lag.ms", TopicConfigType.Long, long.MaxValue.ToString(), "log.cleaner.max.compaction.lag.ms",
            "Longest time a record of a compacted topic stays uncompacted: the log is cleaned even below min.cleanable.dirty.ratio, and the active segment rolls at this age.",
            (c, v) => c with { MaxCompactionLagMs = (long)v }, atLeast: 1),
        new("max.message.bytes", TopicConfigType.Int, "1048588", "message.max.bytes",
            "The largest record batch the topic accepts, after compression.",
            (c, v) => c with { MaxMessageBytes = (int)v }, atLeast: 0),
        new("message.timestamp.after.max.ms", TopicConfigType.Long, "3600000", "log.message.timestamp.after.max.ms",
            "How far ahead of the broker's clock a CreateTime timestamp may be before the batch is rejected.",
            (c, v) => c with { MessageTimestampAfterMaxMs = (long)v }, atLeast: 0),
        new("message.timestamp.before.max.ms", TopicConfigType.Long, long.MaxValue.ToString(), "log.message.timestamp.before.max.ms",
            "How far behind the broker's clock a CreateTime timestamp may be before the batch is rejected.",
            (c, v) => c with { MessageTimestampBeforeMaxMs = (long)v }, atLeast: 0),
        new("message.timestamp.type", TopicConfigType.String, "CreateTime", "log.message.timestamp.type",
            "CreateTime keeps the producer's timestamps; LogAppendTime replaces them with the time the broker appended the batch.",
            (c, v) => c with { MessageTimestampType = (string)v == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime },
            validValues: ["CreateTime", "LogAppendTime"]),
        new("min.cleanable.dirty.ratio", TopicConfigType.Double, "0.5", "log.cleaner.min.cleanable.ratio",
            "Share of a compacted log that must be uncompacted before the log cleaner picks it.",
            (c, v) => c with { MinCleanableDirtyRatio = (double)v }, atLeast: 0, atMost: 1),
        new("min.compaction.lag.ms", TopicConfigType.Long, "0", "log.cleaner.min.compaction.lag.ms",
            "Shortest time a record of a compacted topic stays uncompacted: segments with younger records are not cleaned.",
            (c, v) => c with { MinCompactionLagMs = (long)v }, atLeast: 0),
        new("min.insync.replicas", TopicConfigType.Int, "1", "min.insync.replicas",
            "Replicas that must have a batch before an acks=all produce succeeds.",
            (c, v) => c with { MinInSyncReplicas = (int)v }, atLeast: 1),
        new("preallocate", TopicConfigType.Boolean, "false", "log.preallocate",
            "Whether new segment files are preallocated. KafkaSharp grows segment files as it appends; the value is kept.",
            null),
        new("remote.log.copy.disable", TopicConfigType.Boolean, "false", null,
            "Stops copying segments to tiered storage. Tiered storage is not supported; the value is kept.",
            null),
        new("remote.log.delete.on.disable", TopicConfigType.Boolean, "false", null,
            "Deletes tiered data when tiered storage is turned off. Tiered storage is not supported; the value is kept.",
            null),
        new("remote.storage.enable", TopicConfigType.Boolean, "false", null,
            "Turns on tiered storage for the topic. Tiered storage is not supported; the value is kept.",
            null),
        new("retention.bytes", TopicConfigType.Long, "-1", "log.retention.bytes",
            "Size a partition's log may reach before its oldest segments are deleted; -1 for no limit.",
            (c, v) => c with { RetentionBytes = (long)v }),
        new("retention.ms", TopicConfigType.Long, "604800000", "log.retention.ms",
            "Age (by the newest timestamp in a segment) after which a segment is deleted; -1 keeps segments forever.",
            (c, v) => c with { RetentionMs = (long)v }, atLeast: -1),
        new("segment.bytes", TopicConfigType.Int, "1073741824", "log.segment.bytes",
            "Size of a segment file: the log rolls to a new segment before an append would exceed it.",
            (c, v) => c with { SegmentBytes = (int)v }, atLeast: 1024 * 1024),
        new("segment.index.bytes", TopicConfigType.Int, "10485760", "log.index.size.max.bytes",
            "Size each index file is preallocated to; the segment rolls when an index is full.",
            (c, v) => c with { SegmentIndexBytes = (int)v }, atLeast: 4),
        new("segment.jitter.ms", TopicConfigType.Long, "0", "log.roll.jitter.ms",
            "Largest random amount by which time-based rolling happens early, so segments of many partitions do not roll together.",
            (c, v) => c with { SegmentJitterMs = (long)v }, atLeast: 0),
        new("segment.ms", TopicConfigType.Long, (7 * Day).ToString(), "log.roll.ms",
            "Age after which a segment is rolled even if not full, so retention can delete or compact it.",
            (c, v) => c with { SegmentMs = (long)v }, atLeast: 1),
        new("unclean.leader.election.enable", TopicConfigType.Boolean, "false", "unclean.leader.election.enable",
            "Whether an out-of-sync replica may become leader. KafkaSharp runs a single node; the value is kept.",
            null),
    ];

    private static readonly FrozenDictionary<string, TopicConfigDefinition> ByName =
        All.ToFrozenDictionary(definition => definition.Name, StringComparer.Ordinal);

    /// <summary>The definition of a topic config, or <c>null</c> for a name Kafka does not know.</summary>
    public static TopicConfigDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    private static CleanupPolicy ParseCleanupPolicy(string[] policies)
    {
        CleanupPolicy policy = 0;
        foreach (string item in policies)
        {
            policy |= item == "compact" ? CleanupPolicy.Compact : CleanupPolicy.Delete;
        }
        return policy;
    }
}
