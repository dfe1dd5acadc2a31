namespace KafkaSharp.Storage;

/// <summary>Which timestamp a topic keeps in its batches (<c>message.timestamp.type</c>).</summary>
public enum TimestampType
{
    /// <summary>The producer's timestamps are kept.</summary>
    CreateTime,

    /// <summary>The broker stamps each batch with the time it was appended.</summary>
    LogAppendTime,
}

/// <summary>The retention policies of <c>cleanup.policy</c>; a topic may have both.</summary>
[Flags]
public enum CleanupPolicy
{
    Delete = 1,

    /// <summary>The log cleaner keeps only the latest record of each key (<see cref="Cleaner.LogCleaner"/>).</summary>
    Compact = 2,
}

/// <summary>
/// The effective configuration of one topic's logs: Kafka's topic configs with Kafka 4.x defaults.
/// Built by merging a topic's overrides over the broker's defaults with <see cref="TryCreate"/>;
/// <see cref="TopicConfigs.All"/> lists every known name. A topic whose configs change gets a new
/// instance (<see cref="LogManager.UpdateTopicConfig"/>); instances are immutable.
/// </summary>
public sealed record LogConfig
{
    public static readonly LogConfig Default = new();

    /// <summary><c>segment.bytes</c>: a segment is rolled before an append would make it larger.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>: a segment is rolled once its first batch is this old.</summary>
    public long SegmentMs { get; init; } = 7 * 24 * 3_600_000L;

    /// <summary>
    /// The age at which a segment rolls: <c>segment.ms</c>, or <c>max.compaction.lag.ms</c> when a
    /// compacted topic sets it lower, so that the active segment becomes cleanable in time (as Kafka).
    /// </summary>
    public long MaxSegmentMs =>
        (CleanupPolicy & CleanupPolicy.Compact) != 0 && MaxCompactionLagMs > 0 ? Math.Min(MaxCompactionLagMs, SegmentMs) : SegmentMs;

    /// <summary><c>segment.jitter.ms</c>: the most by which a time-based roll happens early, chosen per segment.</summary>
    public long SegmentJitterMs { get; init; }

    /// <summary><c>segment.index.bytes</c>: the size each index file is preallocated to; a full index rolls the segment.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>index.interval.bytes</c>: bytes appended between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>flush.messages</c>: offsets appended since the last fsync that trigger one.</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: time since the last fsync that triggers one (checked by the flush scheduler).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>retention.ms</c>: segments whose newest timestamp is older are deleted; -1 keeps them.</summary>
    public long RetentionMs { get; init; } = 7 * 24 * 3_600_000L;

    /// <summary><c>retention.bytes</c>: oldest segments are deleted while the log is larger; -1 for no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>max.message.bytes</c>: the largest record batch accepted (checked by the produce path).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary><c>message.timestamp.type</c>.</summary>
    public TimestampType MessageTimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary><c>message.timestamp.before.max.ms</c>: how far in the past a CreateTime timestamp may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>: how far in the future a CreateTime timestamp may be.</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = 3_600_000L;

    /// <summary><c>cleanup.policy</c>.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary><c>delete.retention.ms</c>: how long a compacted topic keeps a tombstone after the cleaner first kept it.</summary>
    public long DeleteRetentionMs { get; init; } = 24 * 3_600_000L;

    /// <summary><c>min.cleanable.dirty.ratio</c>: share of a compacted log not yet cleaned above which the cleaner picks it.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary><c>min.compaction.lag.ms</c>: records younger than this stay uncompacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary><c>max.compaction.lag.ms</c>: records older than this are compacted even below the dirty ratio.</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary><c>file.delete.delay.ms</c>: how long deleted segment files stay readable for fetches in flight.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000L;

    /// <summary><c>compression.type</c>: producer, uncompressed, gzip, snappy, lz4 or zstd.</summary>
    public string CompressionType { get; init; } = "producer";

    /// <summary><c>compression.gzip.level</c>; -1 is the codec's default.</summary>
    public int CompressionGzipLevel { get; init; } = -1;

    /// <summary><c>compression.lz4.level</c>.</summary>
    public int CompressionLz4Level { get; init; } = 9;

    /// <summary><c>compression.zstd.level</c>.</summary>
    public int CompressionZstdLevel { get; init; } = 3;

    /// <summary><c>min.insync.replicas</c>.</summary>
    public int MinInSyncReplicas { get; init; } = 1;

    /// <summary>
    /// Merges a topic's config overrides (Kafka names, string values) over <paramref name="defaults"/>.
    /// Every name must be a known topic config (<see cref="TopicConfigs"/>) and every value must parse
    /// and lie in range; otherwise <paramref name="errors"/> lists each problem (for INVALID_CONFIG)
    /// and <paramref name="config"/> is <paramref name="defaults"/>.
    /// </summary>
    public static bool TryCreate(IReadOnlyDictionary<string, string> overrides, LogConfig defaults,
        out LogConfig config, out IReadOnlyList<ConfigError> errors)
    {
        var merged = defaults;
        List<ConfigError>? problems = null;
        foreach (var (name, raw) in overrides)
        {
            var definition = TopicConfigs.Find(name);
            if (definition is null)
            {
                (problems ??= []).Add(new ConfigError(name, $"Unknown topic config name: {name}"));
                continue;
            }
            if (!definition.TryParse(raw, out object value, out string? error))
            {
                (problems ??= []).Add(new ConfigError(name, error!));
                continue;
            }
            merged = definition.Apply(merged, value);
        }
        if (problems is not null)
        {
            config = defaults;
            errors = problems;
            return false;
        }
        config = merged;
        errors = [];
        return true;
    }
}

/// <summary>A config that was rejected: its name and a message for the client.</summary>
public readonly record struct ConfigError(string Name, string Message);
