namespace KafkaSharp.Storage;

/// <summary>Broker-wide storage settings, with Kafka's broker config names and defaults.</summary>
public sealed record LogManagerConfig(string LogDirectory)
{
    /// <summary>The topic configs of topics without overrides (built from the broker's <c>log.*</c> configs).</summary>
    public LogConfig DefaultLogConfig { get; init; } = LogConfig.Default;

    /// <summary><c>log.retention.check.interval.ms</c>: how often retention runs.</summary>
    public long RetentionCheckIntervalMs { get; init; } = 5 * 60_000L;

    /// <summary><c>log.flush.scheduler.interval.ms</c>: how often <c>flush.ms</c> is checked; Kafka's default never checks.</summary>
    public long FlushSchedulerIntervalMs { get; init; } = long.MaxValue;

    /// <summary><c>log.flush.offset.checkpoint.interval.ms</c>: how often recovery points are checkpointed.</summary>
    public long FlushOffsetCheckpointIntervalMs { get; init; } = 60_000L;

    /// <summary><c>log.flush.start.offset.checkpoint.interval.ms</c>: how often log start offsets are checkpointed.</summary>
    public long FlushStartOffsetCheckpointIntervalMs { get; init; } = 60_000L;

    /// <summary><c>log.initial.task.delay.ms</c>: delay before the first retention and checkpoint runs.</summary>
    public long InitialTaskDelayMs { get; init; } = 30_000L;

    /// <summary><c>log.cleaner.enable</c>: run the background log cleaner, which compacts topics with <c>cleanup.policy=compact</c>.</summary>
    public bool CleanerEnable { get; init; } = true;

    /// <summary><c>log.cleaner.backoff.ms</c>: how long the cleaner waits when no log needs cleaning.</summary>
    public long CleanerBackoffMs { get; init; } = 15_000L;

    /// <summary><c>log.cleaner.dedupe.buffer.size</c>: memory for the cleaner's key -> offset map (24 bytes per key).</summary>
    public long CleanerDedupeBufferSize { get; init; } = 128L * 1024 * 1024;

    /// <summary><c>log.cleaner.io.buffer.size</c>: memory for the cleaner's read and write buffers (half each).</summary>
    public int CleanerIoBufferSize { get; init; } = 512 * 1024;

    /// <summary><c>log.cleaner.io.buffer.load.factor</c>: how full the key -> offset map may get.</summary>
    public double CleanerIoBufferLoadFactor { get; init; } = 0.9;

    /// <summary><c>producer.id.expiration.ms</c>: how long a partition keeps an idle producer's state (idempotence).</summary>
    public long ProducerIdExpirationMs { get; init; } = 86_400_000L;

    /// <summary><c>producer.id.expiration.check.interval.ms</c>: how often idle producers are looked for.</summary>
    public long ProducerIdExpirationCheckIntervalMs { get; init; } = 600_000L;

    /// <summary>
    /// KafkaSharp's durable mode: the high watermark only covers fsynced data, so a producer's
    /// acks=all response (waiting on <see cref="PartitionLog.WaitForHighWatermarkAsync"/>) means the
    /// records are on disk. Every append asks the background flusher for an fsync; appends arriving
    /// during one fsync share the next (group commit). Off: Kafka's behaviour, which relies on
    /// replication rather than fsync.
    /// </summary>
    public bool DurableHighWatermark { get; init; }
}
