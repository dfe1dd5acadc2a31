using System.Collections.Concurrent;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage.Checkpoints;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage;

/// <summary>
/// Owns the data directory (Kafka's <c>log.dirs</c>, one directory) and every partition log in it:
/// <code>
/// &lt;log dir&gt;/
///   .lock                               held while a broker uses the directory
///   .kafka_cleanshutdown                present only after a clean stop
///   recovery-point-offset-checkpoint    per partition: everything below is fsynced
///   log-start-offset-checkpoint         per partition: the log start offset
///   cleaner-offset-checkpoint           per compacted partition: where its uncleaned (dirty) section starts
///   __kafkasharp_topics.json            topic names, ids, partition counts, configs (TopicMetadataStore)
///   &lt;topic&gt;-&lt;partition&gt;/
///     partition.metadata                the topic id
///     00000000000000000000.log / .index / .timeindex
///     00000000000000001234.snapshot     idempotent producers' state at that offset (ProducerStateManager)
/// </code>
/// <see cref="Open"/> loads every partition log (recovering after a crash), then runs retention
/// every <c>log.retention.check.interval.ms</c>, checkpoints every
/// <c>log.flush.offset.checkpoint.interval.ms</c>, fsyncs through <see cref="FlushPolicy"/>, and
/// compacts logs with <c>cleanup.policy=compact</c> through its <see cref="Cleaner"/> (a background
/// thread when <c>log.cleaner.enable</c>), and forgets idle producers every
/// <c>producer.id.expiration.check.interval.ms</c>.
/// <see cref="DisposeAsync"/> is the clean shutdown: flush, checkpoint, close, write the marker.
/// </summary>
public sealed class LogManager : IAsyncDisposable
{
    public const string LockFileName = ".lock";

    /// <summary>Timers accept at most about 49 days; longer intervals mean "never" (Kafka's Long.MaxValue defaults).</summary>
    private const long MaxTimerMs = uint.MaxValue - 1;

    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly object _createLock = new();
    private readonly FileStream _lockFile;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private readonly Action<PartitionLog>? _highWatermarkAdvanced;
    private readonly FlushPolicy _flushPolicy;
    private readonly FileDeleteScheduler _fileDeleteScheduler;
    private readonly OffsetCheckpointFile _recoveryPointCheckpoint;
    private readonly OffsetCheckpointFile _logStartOffsetCheckpoint;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _backgroundTasks = [];
    private bool _disposed;

    private LogManager(LogManagerConfig config, FileStream lockFile, TimeProvider time, Action<string> report,
        Action<PartitionLog>? highWatermarkAdvanced)
    {
        Config = config;
        _lockFile = lockFile;
        _time = time;
        _report = report;
        _highWatermarkAdvanced = highWatermarkAdvanced;
        _flushPolicy = new FlushPolicy(config.DurableHighWatermark, report);
        _fileDeleteScheduler = new FileDeleteScheduler(time, report);
        _recoveryPointCheckpoint = new OffsetCheckpointFile(Path.Combine(config.LogDirectory, OffsetCheckpointFile.RecoveryPointFileName));
        _logStartOffsetCheckpoint = new OffsetCheckpointFile(Path.Combine(config.LogDirectory, OffsetCheckpointFile.LogStartOffsetFileName));
        Cleaner = new LogCleaner(this, config, time, report);
    }

    public LogManagerConfig Config { get; }

    /// <summary>The log cleaner: compacts logs in the background, or one log on request (<see cref="LogCleaner.Clean"/>).</summary>
    public LogCleaner Cleaner { get; }

    /// <summary>True when the previous run stopped cleanly, so no log was recovered at <see cref="Open"/>.</summary>
    public bool HadCleanShutdown { get; private set; }

    /// <summary>Every open partition log.</summary>
    public ICollection<PartitionLog> Logs => _logs.Values;

    /// <summary>
    /// Opens the data directory and loads every partition log in it, recovering them if the last
    /// run did not stop cleanly, then starts the background tasks.
    /// </summary>
    /// <param name="topicConfigs">Effective configs of topics with overrides; other topics use <see cref="LogManagerConfig.DefaultLogConfig"/>.</param>
    /// <param name="time">Clock and timers (tests pass a manual one).</param>
    /// <param name="report">Receives a line for each repair or background failure; standard error by default.</param>
    /// <param name="highWatermarkAdvanced">Called after a log's high watermark moves (after appends, or after fsyncs in durable mode); must be quick.</param>
    /// <exception cref="IOException">The directory is in use by another process, or cannot be read.</exception>
    public static LogManager Open(LogManagerConfig config, IReadOnlyDictionary<string, LogConfig> topicConfigs,
        TimeProvider? time = null, Action<string>? report = null, Action<PartitionLog>? highWatermarkAdvanced = null)
    {
        Directory.CreateDirectory(config.LogDirectory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(config.LogDirectory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The data directory {config.LogDirectory} is in use by another process", e);
        }
        var manager = new LogManager(config, lockFile, time ?? TimeProvider.System, report ?? Console.Error.WriteLine, highWatermarkAdvanced);
        try
        {
            manager.LoadLogs(topicConfigs);
        }
        catch (Exception)
        {
            manager.CloseAfterFailedOpen();
            throw;
        }
        manager.StartBackgroundTasks();
        return manager;
    }

    private void LoadLogs(IReadOnlyDictionary<string, LogConfig> topicConfigs)
    {
        string directory = Config.LogDirectory;
        HadCleanShutdown = CleanShutdownFile.Exists(directory);
        var recoveryPoints = ReadCheckpoint(_recoveryPointCheckpoint);
        var logStartOffsets = ReadCheckpoint(_logStartOffsetCheckpoint);
        foreach (string partitionDirectory in Directory.EnumerateDirectories(directory))
        {
            string name = Path.GetFileName(partitionDirectory);
            if (name.EndsWith(DeletedDirectorySuffix, StringComparison.Ordinal))
            {
                Directory.Delete(partitionDirectory, recursive: true); // its deletion delay had not passed
                continue;
            }
            if (name.StartsWith('.') || !TopicPartition.TryParseDirectoryName(name, out var topicPartition))
            {
                continue;
            }
            KafkaUuid topicId;
            try
            {
                topicId = PartitionMetadataFile.Read(partitionDirectory) ?? KafkaUuid.Zero;
            }
            catch (InvalidDataException e)
            {
                _report($"{e.Message}; the partition is loaded without a topic id");
                topicId = KafkaUuid.Zero;
            }
            var config = topicConfigs.GetValueOrDefault(topicPartition.Topic) ?? Config.DefaultLogConfig;
            var log = PartitionLog.Load(topicPartition, topicId, partitionDirectory, config, HadCleanShutdown,
                recoveryPoints.GetValueOrDefault(topicPartition), logStartOffsets.GetValueOrDefault(topicPartition),
                Config.ProducerIdExpirationMs, _time, _flushPolicy, _fileDeleteScheduler, _highWatermarkAdvanced, _report);
            _logs[topicPartition] = log;
        }
        CheckpointLogOffsets();
        if (HadCleanShutdown)
        {
            CleanShutdownFile.Delete(directory);
        }
    }

    /// <summary>A missing or damaged checkpoint means "recover from the start", as in Kafka.</summary>
    private Dictionary<TopicPartition, long> ReadCheckpoint(OffsetCheckpointFile file)
    {
        try
        {
            return file.Read();
        }
        catch (InvalidDataException e)
        {
            _report($"{e.Message}; it is ignored and the logs are recovered from their start");
            return [];
        }
    }

    private const string DeletedDirectorySuffix = "-delete";

    public PartitionLog? GetLog(TopicPartition topicPartition) => _logs.GetValueOrDefault(topicPartition);

    /// <summary>
    /// The partition's log, created empty (offset 0) with its <c>partition.metadata</c> if it does not
    /// exist. An existing log must belong to the same topic id.
    /// </summary>
    /// <exception cref="ArgumentException">The topic name is not a legal Kafka topic name.</exception>
    /// <exception cref="InvalidOperationException">A log for the partition exists with another topic id.</exception>
    public PartitionLog GetOrCreateLog(TopicPartition topicPartition, KafkaUuid topicId, LogConfig config)
    {
        ValidateTopicName(topicPartition.Topic);
        ArgumentOutOfRangeException.ThrowIfNegative(topicPartition.Partition);
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_logs.TryGetValue(topicPartition, out var existing))
            {
                if (existing.TopicId != topicId && !existing.TopicId.IsZero)
                {
                    throw new InvalidOperationException(
                        $"The log of {topicPartition} belongs to topic id {existing.TopicId}, not {topicId}");
                }
                return existing;
            }
            string directory = Path.Combine(Config.LogDirectory, topicPartition.ToString());
            Directory.CreateDirectory(directory);
            PartitionMetadataFile.Write(directory, topicId);
            AtomicFile.FlushDirectory(Config.LogDirectory);
            var log = PartitionLog.Load(topicPartition, topicId, directory, config, hadCleanShutdown: false,
                recoveryPoint: 0, logStartOffset: 0, Config.ProducerIdExpirationMs, _time, _flushPolicy, _fileDeleteScheduler, _highWatermarkAdvanced, _report);
            _logs[topicPartition] = log;
            return log;
        }
    }

    /// <summary>
    /// Removes a partition's log: appends fail from now on, the directory is renamed to
    /// <c>&lt;topic&gt;-&lt;partition&gt;.&lt;id&gt;-delete</c> at once and removed after
    /// <c>file.delete.delay.ms</c>. False when there is no such log.
    /// </summary>
    public bool DeleteLog(TopicPartition topicPartition)
    {
        lock (_createLock)
        {
            if (!_logs.TryGetValue(topicPartition, out var log))
            {
                return false;
            }
            Cleaner.AbortAndPauseCleaning(topicPartition);
            _logs.TryRemove(topicPartition, out _);
            Cleaner.RemoveLog(topicPartition);
            string deletedDirectory = Path.Combine(Config.LogDirectory, $"{topicPartition}.{Guid.NewGuid():N}{DeletedDirectorySuffix}");
            log.MarkDeleted(deletedDirectory);
            AtomicFile.FlushDirectory(Config.LogDirectory);
            _fileDeleteScheduler.Schedule(log.DeleteDirectory, log.CloseDeleted, log.Config.FileDeleteDelayMs);
            return true;
        }
    }

    /// <summary>Applies a topic's new effective config (after AlterConfigs) to all its partition logs.</summary>
    public void UpdateTopicConfig(string topic, LogConfig config)
    {
        foreach (var log in _logs.Values)
        {
            if (log.TopicPartition.Topic == topic)
            {
                log.UpdateConfig(config);
            }
        }
    }

    /// <summary>
    /// One retention pass over every log (what the background task runs); returns the segments
    /// deleted. A log the cleaner is rewriting at that moment is left for the next pass.
    /// </summary>
    public int CleanupLogs()
    {
        int deleted = 0;
        foreach (var log in _logs.Values)
        {
            try
            {
                deleted += Cleaner.DeleteOldSegments(log);
            }
            catch (IOException e)
            {
                _report($"Retention of {log.TopicPartition} failed: {e.Message}");
            }
        }
        return deleted;
    }

    /// <summary>Forgets, in every log, the producers idle for <c>producer.id.expiration.ms</c> (what the background task runs); returns how many.</summary>
    public int RemoveExpiredProducers()
    {
        int removed = 0;
        foreach (var log in _logs.Values)
        {
            removed += log.RemoveExpiredProducers();
        }
        return removed;
    }

    /// <summary>Asks the flusher to fsync every log whose <c>flush.ms</c> has passed.</summary>
    public void FlushDirtyLogs()
    {
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var log in _logs.Values)
        {
            _flushPolicy.FlushIfDue(log, nowMs);
        }
    }

    /// <summary>Writes both checkpoint files (recovery points and log start offsets of every log).</summary>
    public void CheckpointLogOffsets()
    {
        CheckpointRecoveryPoints();
        CheckpointLogStartOffsets();
    }

    private void CheckpointRecoveryPoints()
    {
        var offsets = new List<KeyValuePair<TopicPartition, long>>(_logs.Count);
        foreach (var log in _logs.Values)
        {
            offsets.Add(new(log.TopicPartition, log.RecoveryPoint));
        }
        _recoveryPointCheckpoint.Write(offsets);
    }

    private void CheckpointLogStartOffsets()
    {
        var offsets = new List<KeyValuePair<TopicPartition, long>>(_logs.Count);
        foreach (var log in _logs.Values)
        {
            offsets.Add(new(log.TopicPartition, log.LogStartOffset));
        }
        _logStartOffsetCheckpoint.Write(offsets);
    }

    private void StartBackgroundTasks()
    {
        long initialDelayMs = Config.InitialTaskDelayMs;
        StartPeriodic("retention", () => CleanupLogs(), initialDelayMs, Config.RetentionCheckIntervalMs);
        StartPeriodic("flush scheduler", FlushDirtyLogs, initialDelayMs, Config.FlushSchedulerIntervalMs);
        StartPeriodic("recovery point checkpoint", CheckpointRecoveryPoints, initialDelayMs, Config.FlushOffsetCheckpointIntervalMs);
        StartPeriodic("log start offset checkpoint", CheckpointLogStartOffsets, initialDelayMs, Config.FlushStartOffsetCheckpointIntervalMs);
        StartPeriodic("producer id expiration", () => RemoveExpiredProducers(), Config.ProducerIdExpirationCheckIntervalMs,
            Config.ProducerIdExpirationCheckIntervalMs);
        Cleaner.Start();
    }

    private void StartPeriodic(string name, Action action, long initialDelayMs, long periodMs)
    {
        if (periodMs <= 0 || periodMs > MaxTimerMs)
        {
            return;
        }
        var stopping = _stopping.Token;
        _backgroundTasks.Add(Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(initialDelayMs, MaxTimerMs)), _time, stopping).ConfigureAwait(false);
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(periodMs), _time);
                do
                {
                    try
                    {
                        action();
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        _report($"Background task {name} failed: {e.Message}");
                    }
                }
                while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // shutdown
            }
        }));
    }

    /// <summary>
    /// Clean shutdown: stops the background tasks and the flusher, fsyncs every log and snapshots its
    /// producer state, writes the checkpoints, closes the logs, runs pending deletions and finally
    /// writes the clean shutdown marker, so the next start skips recovery. If a flush or snapshot
    /// fails the marker is not written.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _stopping.Cancel();
        await Task.WhenAll(_backgroundTasks).ConfigureAwait(false);
        await Cleaner.StopAsync().ConfigureAwait(false);
        await _flushPolicy.DisposeAsync().ConfigureAwait(false);
        bool flushed = false;
        try
        {
            foreach (var log in _logs.Values)
            {
                log.Flush();
                log.TakeProducerSnapshot();
            }
            CheckpointLogOffsets();
            flushed = true;
        }
        finally
        {
            foreach (var log in _logs.Values)
            {
                log.Close();
            }
            _fileDeleteScheduler.Dispose();
            if (flushed)
            {
                CleanShutdownFile.Write(Config.LogDirectory);
            }
            _stopping.Dispose();
            _lockFile.Dispose();
        }
    }

    private void CloseAfterFailedOpen()
    {
        foreach (var log in _logs.Values)
        {
            log.Close();
        }
        _flushPolicy.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _fileDeleteScheduler.Dispose();
        _lockFile.Dispose();
    }

    /// <summary>Kafka's rule: 1-249 characters of ASCII letters, digits, '.', '_' and '-', and not "." or "..".</summary>
    private static void ValidateTopicName(string topic)
    {
        if (topic.Length is 0 or > 249 || topic is "." or "..")
        {
            throw new ArgumentException($"Illegal topic name '{topic}'", nameof(topic));
        }
        foreach (char c in topic)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                throw new ArgumentException($"Illegal topic name '{topic}'", nameof(topic));
            }
        }
    }
}
